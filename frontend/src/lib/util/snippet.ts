// Search snippets come as HTML-escaped text with the matched terms in <mark>…</mark>. Split them into
// text parts instead of injecting HTML, so nothing in a snippet can ever become markup.

export interface SnippetPart {
	text: string;
	mark: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeHtml(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
		if (name[0] === '#') {
			const code = name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
			return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
		}
		return ENTITIES[name.toLowerCase()] ?? whole;
	});
}

export function snippetParts(snippet: string): SnippetPart[] {
	const parts: SnippetPart[] = [];
	let mark = false;
	for (const piece of snippet.split(/(<\/?mark>)/i)) {
		const tag = piece.toLowerCase();
		if (tag === '<mark>') mark = true;
		else if (tag === '</mark>') mark = false;
		else if (piece) {
			const text = unescapeHtml(piece);
			const last = parts[parts.length - 1];
			if (last && last.mark === mark) last.text += text;
			else parts.push({ text, mark });
		}
	}
	return parts;
}
