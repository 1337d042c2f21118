import type { ReactNode } from 'react';

// One small line icon per page, drawn in the text colour; the collapsed navigation shows only these.
const PATHS: Record<string, ReactNode> = {
  '/': (
    <>
      <rect x="2" y="2" width="5" height="5" rx="1" />
      <rect x="9" y="2" width="5" height="5" rx="1" />
      <rect x="2" y="9" width="5" height="5" rx="1" />
      <rect x="9" y="9" width="5" height="5" rx="1" />
    </>
  ),
  '/traffic': <path d="M2 8h5l3-4h4M7 8l3 4h4M12 2l2 2-2 2M12 10l2 2-2 2" />,
  // Rising steps: traffic moved to the candidate step by step.
  '/rollouts': <path d="M2 13h3v-3h3V7h3V4h3" />,
  '/graph': (
    <>
      <circle cx="3.5" cy="8" r="1.8" />
      <circle cx="12.5" cy="3.5" r="1.8" />
      <circle cx="12.5" cy="12.5" r="1.8" />
      <path d="M5.2 7.2l5.6-2.9M5.2 8.8l5.6 2.9" />
    </>
  ),
  '/kpis': <path d="M2 14h12M4 12V8M8 12V4M12 12V6" />,
  '/resilience': <path d="M8 2l5 2v4c0 3-2.2 5.2-5 6-2.8-.8-5-3-5-6V4z" />,
  '/traces': <path d="M2 3h8M4 6.5h9M6 10h6M3 13.5h5" />,
  '/security': (
    <>
      <rect x="3" y="7" width="10" height="7" rx="1" />
      <path d="M5 7V5a3 3 0 0 1 6 0v2" />
    </>
  ),
  '/validation': <path d="M3 3h10v10H3zM5.5 8l2 2 3-4" />,
  '/audit': <path d="M4 2h6l2 2v10H4zM6 7h4M6 10h4" />,
};

export function NavIcon({ href }: { href: string }) {
  return (
    <svg
      viewBox="0 0 16 16"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {PATHS[href]}
    </svg>
  );
}
