/** "carboplatin", "carboplatin and paclitaxel", "carboplatin and 2 other drugs": drug names for a card parameter. */
export function listDrugs(names: readonly string[]): string {
  const unique = [...new Set(names)];
  if (unique.length <= 2) {
    return unique.join(' and ');
  }
  return `${unique[0] ?? ''} and ${unique.length - 1} other drugs`;
}
