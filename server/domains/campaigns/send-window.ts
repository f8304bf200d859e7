import { getCountry } from 'countries-and-timezones';

/**
 * The send window in the recipient's local time: a country's zones (countries-and-timezones, from the
 * IANA database); a country spanning several zones is inside the window only when all of them are,
 * so nobody is woken at night (when its zones never agree, its first zone decides).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function localMinute(zone: string, at: Date): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, format);
  }
  const parts = format.formatToParts(at);
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((part) => part.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

export interface SendWindow {
  startMinute: number;
  endMinute: number;
}

const inside = (window: SendWindow, minute: number) =>
  minute >= window.startMinute && minute < window.endMinute;

const stepMs = 5 * 60_000;

/**
 * When a recipient in `country` may receive a message: null when now (or when the country is
 * unknown), else the first instant (5-minute steps, within a day) the window opens there.
 */
export function windowOpensAt(country: unknown, window: SendWindow, now: Date): Date | null {
  if (typeof country !== 'string') return null;
  const zones = getCountry(country.toUpperCase() as never)?.timezones ?? [];
  if (zones.length === 0) return null;
  const allInside = (at: Date) => zones.every((zone) => inside(window, localMinute(zone, at)));
  if (allInside(now)) return null;
  for (let at = now.getTime() + stepMs; at <= now.getTime() + 24 * 3600_000; at += stepMs) {
    if (allInside(new Date(at))) return new Date(at);
  }
  const first = zones[0] as string;
  if (inside(window, localMinute(first, now))) return null;
  for (let at = now.getTime() + stepMs; at <= now.getTime() + 24 * 3600_000; at += stepMs) {
    if (inside(window, localMinute(first, new Date(at)))) return new Date(at);
  }
  return null;
}

/** windowOpensAt, computed once per country within one tick. */
export function windowCheck(window: SendWindow, now: Date) {
  const byCountry = new Map<string, Date | null>();
  return (country: unknown): Date | null => {
    const key = typeof country === 'string' ? country.toUpperCase() : '';
    if (!byCountry.has(key)) byCountry.set(key, windowOpensAt(country, window, now));
    return byCountry.get(key) ?? null;
  };
}
