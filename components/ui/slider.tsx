'use client';

import { memo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import styles from './slider.module.css';

const KEY_STEPS: Record<string, number> = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

/**
 * An ARIA slider (role="slider") for 0–max: arrows move ±1, PageUp/PageDown ±10, Home/End to
 * the ends; the track can be clicked or dragged with a mouse, pen or finger. The pointer is
 * captured on press and the press's default action is cancelled, so no text gets selected and
 * the browser never starts a native drag-and-drop: every drag, the second and third included,
 * lands where it is dropped.
 */
export const Slider = memo(function Slider({
  label,
  value,
  onChange,
  disabled,
  max = 100,
  compact,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  disabled?: boolean;
  max?: number;
  /** A smaller track for table rows. */
  compact?: boolean;
}) {
  const track = useRef<HTMLDivElement>(null);
  // The last value sent during a drag: pointermove fires far more often than the value changes.
  const sent = useRef<number | null>(null);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (disabled) return;
    if (event.key in KEY_STEPS) onChange(Math.max(0, Math.min(max, value + KEY_STEPS[event.key]!)));
    else if (event.key === 'Home') onChange(0);
    else if (event.key === 'End') onChange(max);
    else return;
    event.preventDefault();
  }

  function fromPointer(event: PointerEvent<HTMLDivElement>) {
    const rect = track.current!.getBoundingClientRect();
    if (rect.width === 0) return;
    const next = Math.round(Math.max(0, Math.min(1, (event.clientX - rect.left) / rect.width)) * max);
    if (next === sent.current) return;
    sent.current = next;
    onChange(next);
  }

  const percent = `${(value / max) * 100}%`;
  return (
    <div
      ref={track}
      className={compact ? `${styles.slider} ${styles.compact}` : styles.slider}
      role="slider"
      tabIndex={disabled ? -1 : 0}
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      aria-valuetext={`${value}%`}
      aria-disabled={disabled || undefined}
      draggable={false}
      onDragStart={(e) => e.preventDefault()}
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        if (disabled || (e.pointerType === 'mouse' && e.button !== 0)) return;
        // No text selection, no native drag; focus still moves here for the keyboard.
        e.preventDefault();
        e.currentTarget.focus();
        e.currentTarget.setPointerCapture(e.pointerId);
        sent.current = value;
        fromPointer(e);
      }}
      onPointerMove={(e) => {
        if (!disabled && e.currentTarget.hasPointerCapture(e.pointerId)) fromPointer(e);
      }}
      onPointerUp={(e) => {
        if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
      }}
      // A drag ends however the capture is lost (release, cancel, the element re-rendered away).
      onLostPointerCapture={() => (sent.current = null)}
    >
      <div className={styles.fill} style={{ width: percent }} />
      <div className={styles.thumb} style={{ left: percent }} />
    </div>
  );
});
