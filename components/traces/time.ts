/** A trace's start (Jaeger's microseconds) as the browser's local time of day. */
export const timeOf = (us: number) => new Date(us / 1000).toLocaleTimeString();
