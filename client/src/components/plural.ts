/** "1 delivery", "3 deliveries": English plurals through Intl, so a count never reads wrong. */
const rules = new Intl.PluralRules('en');

export function plural(count: number, one: string, other: string): string {
  return `${count.toLocaleString('en')} ${rules.select(count) === 'one' ? one : other}`;
}
