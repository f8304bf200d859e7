import { getCountries, getCountryCallingCode } from 'libphonenumber-js';

const names = new Intl.DisplayNames(['en'], { type: 'region' });

/** A country's English name ("DE" → "Germany"), or the code when the browser does not know it. */
export const countryName = (code: string) => names.of(code) ?? code;

/** Every country libphonenumber-js knows, as Select options ("Germany (+49)"), by name. */
export const countryOptions = getCountries()
  .map((code) => ({ value: code, label: `${countryName(code)} (+${getCountryCallingCode(code)})` }))
  .sort((a, b) => a.label.localeCompare(b.label));
