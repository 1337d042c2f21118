'use client';

import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

/**
 * An ARIA slider (role="slider") for 0–100: arrows move ±1, PageUp/PageDown ±10,
 * Home/End to the ends; the track can be clicked or dragged.
 */
export function Slider({
  label,
  value,
  onChange,
  disabled,
  max = 100,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  disabled?: boolean;
  max?: number;
}) {
  const track = useRef<HTMLDivElement>(null);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (disabled) return;
    const step: Record<string, number> = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };
    if (event.key in step) onChange(Math.max(0, Math.min(max, value + step[event.key]!)));
    else if (event.key === 'Home') onChange(0);
    else if (event.key === 'End') onChange(max);
    else return;
    event.preventDefault();
  }

  function fromPointer(event: PointerEvent<HTMLDivElement>) {
    const rect = track.current!.getBoundingClientRect();
    onChange(Math.round(Math.max(0, Math.min(1, (event.clientX - rect.left) / rect.width)) * max));
  }

  return (
    <div
      ref={track}
      className="slider"
      role="slider"
      tabIndex={disabled ? -1 : 0}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={`${value}%`}
      aria-disabled={disabled || undefined}
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        if (disabled) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        fromPointer(e);
      }}
      onPointerMove={(e) => {
        if (!disabled && e.currentTarget.hasPointerCapture(e.pointerId)) fromPointer(e);
      }}
    >
      <div className="slider-fill" style={{ width: `${(value / max) * 100}%` }} />
      <div className="slider-thumb" style={{ left: `${(value / max) * 100}%` }} />
    </div>
  );
}
