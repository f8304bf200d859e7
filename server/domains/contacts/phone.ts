import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export type NormalisedPhone = { waId: string; country: string | null } | { error: string };

/**
 * A phone number as written by a person or a spreadsheet ("+55 (11) 98765-4321", "0151 1234 5678",
 * "0049 151…", "4915112345678", 4.9151123E+12 is not accepted) → E.164 digits without "+" (Meta's wa_id)
 * and the ISO country libphonenumber-js derives from it. Numbers without a country code are read in
 * `defaultCountry`; without one, a bare digit string is taken as international.
 */
export function normalisePhone(raw: string, defaultCountry: string | null): NormalisedPhone {
  const text = raw.trim();
  if (!text) return { error: 'The phone number is missing.' };
  if (/e\+?\d+$/i.test(text))
    return {
      error: `"${text}" was turned into scientific notation by a spreadsheet; format the column as text.`,
    };
  if (!/^[+\d\s().\-/]+$/.test(text)) return { error: `"${text}" is not a phone number.` };
  const country = (defaultCountry ?? undefined) as CountryCode | undefined;
  let phone = parsePhoneNumberFromString(text, country ? { defaultCountry: country } : {});
  // "4915112345678" without "+": international when it does not read as a national number.
  if ((!phone || !phone.isValid()) && !text.startsWith('+')) {
    const international = parsePhoneNumberFromString(`+${text.replace(/^00/, '')}`);
    if (international?.isValid()) phone = international;
  }
  if (!phone || !phone.isValid())
    return {
      error: country
        ? `"${text}" is not a valid phone number (numbers without a country code are read as ${country}).`
        : `"${text}" is not a valid phone number; write it with its country code (+49…) or set a default country.`,
    };
  return { waId: phone.number.slice(1), country: phone.country ?? null };
}

/** The country of a stored wa_id (digits without "+"), or null. */
export function countryOfWaId(waId: string | null): string | null {
  if (!waId) return null;
  return parsePhoneNumberFromString(`+${waId}`)?.country ?? null;
}
