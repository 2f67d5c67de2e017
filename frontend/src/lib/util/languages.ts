// Languages a user can pick for a recording (the STT service reads ISO 639-1 codes), and labels for the
// flags the STT service puts on a transcript it does not trust. Codes come from the API; names are the UI's.
import type { Schemas } from '$lib/api/types';

export type TranscriptFlag = Schemas['TranscriptFlag'];
export type LanguageSource = Schemas['LanguageSource'];

export interface LanguageOption {
	code: string; // '' is "the STT service's default"
	name: string;
}

export const COMMON_LANGUAGES: readonly LanguageOption[] = [
	{ code: 'en', name: 'English' },
	{ code: 'ko', name: 'Korean (한국어)' },
	{ code: 'ja', name: 'Japanese (日本語)' },
	{ code: 'zh', name: 'Chinese (中文)' },
	{ code: 'de', name: 'German (Deutsch)' },
	{ code: 'fr', name: 'French (français)' },
	{ code: 'es', name: 'Spanish (español)' },
	{ code: 'it', name: 'Italian (italiano)' },
	{ code: 'pt', name: 'Portuguese (português)' },
	{ code: 'ru', name: 'Russian (русский)' },
	{ code: 'vi', name: 'Vietnamese (Tiếng Việt)' },
	{ code: 'th', name: 'Thai (ไทย)' }
];

export const DEFAULT_LANGUAGE: LanguageOption = { code: '', name: 'Automatic (the STT service’s default)' };

/** A language code's name, or the code itself when the UI does not know it. */
export function languageName(code: string | null | undefined): string {
	if (!code) return 'unknown language';
	return COMMON_LANGUAGES.find((l) => l.code === code)?.name ?? code;
}

/** The choices for a recording: the default, the common languages, and its current one if it is another. */
export function languageOptions(current: string | null | undefined): LanguageOption[] {
	const options = [DEFAULT_LANGUAGE, ...COMMON_LANGUAGES];
	if (current && !options.some((o) => o.code === current)) options.push({ code: current, name: current });
	return options;
}

const FLAG_LABELS: Record<TranscriptFlag, string> = {
	low_confidence: 'low confidence',
	repetitive: 'repeats itself',
	unread_speech: 'speech not read',
	not_english: 'not English'
};

export function flagLabel(flag: TranscriptFlag): string {
	return FLAG_LABELS[flag] ?? flag;
}

const SOURCE_LABELS: Record<LanguageSource, string> = {
	requested: 'set for this recording',
	default: 'the service’s default',
	detected: 'detected by the model',
	model: 'the model’s only language'
};

export function sourceLabel(source: LanguageSource | null | undefined): string {
	return source ? (SOURCE_LABELS[source] ?? source) : '';
}
