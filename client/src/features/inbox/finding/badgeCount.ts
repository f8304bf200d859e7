/**
 * An unread badge's text: exact up to 99, "99+" above (the count itself stays exact: in the badge's
 * aria-label, the API and the tab title).
 */
export const badgeCount = (count: number) => (count > 99 ? '99+' : count.toLocaleString());
