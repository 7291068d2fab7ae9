/**
 * Rewraps the paragraphs and list items of a rendered Markdown file at `width` columns. Templates are wrapped by
 * hand around values such as the project's name, whose length they cannot know, so a rendered paragraph comes out
 * ragged; rewrapping after rendering makes it read as if it had been written for this project. Code blocks,
 * tables, headings, HTML and quotes are left exactly as rendered.
 */
export function rewrapMarkdown(text: string, width = 116): string {
  const out: string[] = [];
  let paragraph: { first: string; rest: string; words: string[] } | undefined;
  let fence: string | undefined;
  let html = false;

  const flush = () => {
    if (paragraph) out.push(...wrap(paragraph.words, paragraph.first, paragraph.rest, width));
    paragraph = undefined;
  };

  for (const line of text.split('\n')) {
    if (fence) {
      out.push(line);
      if (line.trimStart().startsWith(fence)) fence = undefined;
      continue;
    }
    if (html) {
      out.push(line);
      if (line.includes('-->')) html = false;
      continue;
    }
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (opening) {
      flush();
      fence = opening[1];
      out.push(line);
      continue;
    }
    if (line.trim() === '') {
      flush();
      out.push(line);
      continue;
    }
    if (/^\s*<!--/.test(line)) {
      flush();
      html = !line.includes('-->');
      out.push(line);
      continue;
    }
    // Lines that are blocks of their own: headings, tables, quotes, HTML, rules, and indented code.
    if (/^\s*(#|\||>|<)/.test(line) || /^\s*([-*_])(\s*\1){2,}\s*$/.test(line) || (!paragraph && /^( {4}|\t)/.test(line))) {
      flush();
      out.push(line);
      continue;
    }
    const item = /^(\s*)([-*+]|\d+[.)])\s+/.exec(line);
    if (item) {
      flush();
      paragraph = { first: item[0], rest: ' '.repeat(item[0].length), words: words(line.slice(item[0].length)) };
      continue;
    }
    if (paragraph) paragraph.words.push(...words(line));
    else {
      const indent = /^\s*/.exec(line)![0];
      paragraph = { first: indent, rest: indent, words: words(line) };
    }
  }
  flush();
  return out.join('\n');
}

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);

/** Greedy wrapping; a word longer than the line (a URL) gets a line of its own rather than being broken. */
function wrap(all: string[], first: string, rest: string, width: number): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of all) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
