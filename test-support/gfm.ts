import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

/*
 * Card `detail` read the way clients read it: micromark with GFM (tables, strikethrough, task lists, footnotes and
 * autolink literals) is the parser under remark and react-markdown, and the one CommonMark is checked against.
 */

/** The parts of an mdast node the card tests look at. */
export interface MarkdownNode {
  readonly type: string;
  readonly value?: string;
  readonly children?: readonly MarkdownNode[];
}

export function parseGfm(markdown: string): MarkdownNode {
  return fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/**
 * The tree's shape: every node's type and its children, without text, positions or attributes. Two renderings of a
 * template have the same shape when the values in them created no element of their own.
 */
export function shapeOf(node: MarkdownNode): string {
  const children = node.children?.map(shapeOf).join(',') ?? '';
  return node.children === undefined ? node.type : `${node.type}(${children})`;
}

/** The literal text a reader sees, in document order: every text node's value. */
export function textOf(node: MarkdownNode): string {
  if (node.type === 'text') {
    return node.value ?? '';
  }
  return (node.children ?? []).map(textOf).join('');
}

/** Every node type in the tree, for "no link, no html" assertions with a readable failure. */
export function typesIn(node: MarkdownNode): Set<string> {
  const types = new Set([node.type]);
  for (const child of node.children ?? []) {
    for (const type of typesIn(child)) {
      types.add(type);
    }
  }
  return types;
}
