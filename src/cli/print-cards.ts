import type { CdsCard } from '../cds/types.js';

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : prefix + line))
    .join('\n');
}

/** Cards as a person reads them in a terminal: indicator, rule, summary, suggestions, then the detail. */
export function formatCards(cards: readonly CdsCard[]): string {
  if (cards.length === 0) {
    return '  (no cards)';
  }
  return cards
    .map((card) => {
      const suggestions = (card.suggestions ?? []).map(
        (s) => `      suggestion: ${s.label} (${s.actions.map((a) => a.type).join(', ')})`,
      );
      return [
        `  [${card.indicator.toUpperCase()}] ${card.source.topic.code}: ${card.summary}`,
        ...suggestions,
        indent(card.detail ?? '', '      '),
      ].join('\n');
    })
    .join('\n');
}
