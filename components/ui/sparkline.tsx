import styles from './sparkline.module.css';

/**
 * A tiny trend line in plain SVG (no chart library: a table may draw hundreds). Decorative
 * unless it has a label, since the numbers beside it say the same.
 */
export function Sparkline({ points, label, width = 60, height = 16 }: { points: number[]; label?: string; width?: number; height?: number }) {
  if (points.length < 2) return null;
  const max = Math.max(...points) || 1;
  const step = width / (points.length - 1);
  const path = points.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg
      className={styles.spark}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      focusable="false"
      {...(label ? { role: 'img', 'aria-label': label } : { 'aria-hidden': true })}
    >
      <polyline points={path} />
    </svg>
  );
}
