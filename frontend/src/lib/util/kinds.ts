// A document kind in a few letters, for the thumbnail placeholder (64 px wide: a long word would break).
import type { DocumentKind } from '$lib/api/types';

const SHORT: Record<DocumentKind, string> = {
	pdf: 'PDF',
	document: 'DOC',
	presentation: 'SLIDES',
	spreadsheet: 'SHEET',
	html: 'WEB',
	text: 'TEXT',
	ebook: 'EBOOK',
	email: 'MAIL',
	image: 'IMAGE',
	audio: 'AUDIO',
	video: 'VIDEO',
	archive: 'ZIP',
	news: 'NEWS',
	unknown: 'FILE'
};

export const KIND_SHORT_MAX = 6; // characters that fit the placeholder at its font size

export function kindShort(kind: string): string {
	return SHORT[kind as DocumentKind] ?? kind.slice(0, KIND_SHORT_MAX).toUpperCase();
}
