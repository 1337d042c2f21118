'use client';

import styles from './resilience.module.css';

export interface SettingOption {
  key: string;
  label: string;
  /** Shown as the option group (e.g. "Connection pool"). */
  group?: string;
}

/**
 * The editors show the fields that are set; the rest wait behind this select, so a policy that
 * sets five of twenty fields takes five lines.
 */
export function AddSetting({ who, options, onAdd, disabled }: { who: string; options: SettingOption[]; onAdd: (key: string) => void; disabled?: boolean }) {
  if (options.length === 0) return null;
  const groups = [...new Set(options.map((o) => o.group ?? ''))];
  const list = (group: string) =>
    options
      .filter((o) => (o.group ?? '') === group)
      .map((o) => (
        <option key={o.key} value={o.key}>
          {o.label}
        </option>
      ));
  return (
    <select
      className={styles.addSetting}
      aria-label={`Add setting to ${who}`}
      value=""
      disabled={disabled}
      onChange={(e) => {
        if (e.target.value) onAdd(e.target.value);
      }}
    >
      <option value="">+ Add setting…</option>
      {groups.map((g) =>
        g ? (
          <optgroup key={g} label={g}>
            {list(g)}
          </optgroup>
        ) : (
          list(g)
        ),
      )}
    </select>
  );
}
