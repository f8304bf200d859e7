/** Saves `data` as a file the browser downloads (a privacy export, say). */
export function downloadJson(filename: string, data: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/** The export's address: the contacts the filter selects, streamed by the server as CSV. */
export const exportCsvUrl = (filter: object) =>
  `/api/contacts/export.csv${Object.keys(filter).length ? `?filter=${encodeURIComponent(JSON.stringify(filter))}` : ''}`;
