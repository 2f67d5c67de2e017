// Names for the generated API types, so components need not spell out components["schemas"][…].
// Every type here is an alias of src/lib/api/schema.ts (generated: `npm run gen:api`); none is
// written by hand.
import type { components, paths } from './schema';

export type { components, paths };
export type Schemas = components['schemas'];

export type SessionInfo = Schemas['SessionInfo'];
export type UserOut = Schemas['UserOut'];
export type ErrorBody = Schemas['ErrorBody'];
export type Dashboard = Schemas['Dashboard'];
export type StageLag = Schemas['StageLag'];
export type StageName = Schemas['ProcessStage'];
export type Failure = Schemas['Failure'];
export type DocumentSummary = Schemas['DocumentSummary'];
// issue 19: fields
export type CustomField = Schemas['CustomFieldOut'];
export type CustomFieldCreate = Schemas['CustomFieldCreate'];
export type CustomFieldUpdate = Schemas['CustomFieldUpdate'];
export type FieldType = Schemas['FieldType'];
export type FieldValue = Schemas['FieldValue'];
export type DocumentDetail = Schemas['DocumentDetail'];
export type DocumentKind = Schemas['DocumentKind'];
export type DocumentSort = Schemas['DocumentSort'];
export type PipelineStatus = Schemas['PipelineStatus'];
export type DocumentPage = Schemas['Page_DocumentSummary_'];
export type HistoryEntry = Schemas['HistoryEntry'];
export type StageState = Schemas['StageState'];
export type Transcript = Schemas['Transcript'];
export type UploadResult = Schemas['UploadResult'];
export type SearchResponse = Schemas['SearchResponse'];
export type SearchHit = Schemas['SearchHit'];
export type CategoryTree = Schemas['CategoryTree'];
export type CategoryNode = Schemas['CategoryNode'];
export type Suggestion = Schemas['Suggestion'];
export type SuggestionPage = Schemas['Page_Suggestion_'];
export type BulkResponse = Schemas['BulkResponse'];
// issue 19: extract
export type FieldSuggestion = Schemas['FieldSuggestion'];
export type FieldSuggestionPage = Schemas['Page_FieldSuggestion_'];
export type Feed = Schemas['FeedOut'];
export type FeedCreate = Schemas['FeedCreate'];
export type FeedFetchResult = Schemas['FeedFetchResult'];
export type UserAdmin = Schemas['UserAdminOut'];
export type Role = Schemas['Role'];
export type Group = Schemas['GroupOut'];
export type Sharing = Schemas['Sharing'];
export type Share = Schemas['ShareOut'];
export type Permission = Schemas['Permission'];
export type Directory = Schemas['Directory'];
export type AuditRow = Schemas['AuditRow'];
export type AuditPage = Schemas['Page_AuditRow_'];
export type AuditAction = Schemas['AuditAction'];

export type DocumentQuery = NonNullable<paths['/api/documents']['get']['parameters']['query']>;
export type SearchQuery = paths['/api/search']['get']['parameters']['query'];
export type SearchMode = NonNullable<SearchQuery['mode']>;
export type SuggestionStatus = Suggestion['status'];
export type FeedStatus = NonNullable<Feed['last_status']>;

export {
	documentKindValues,
	documentSortValues,
	fieldTypeValues,
	pipelineStatusValues,
	processStageValues,
	searchResponseModeValues,
	suggestionStatusValues
} from './schema';

// Mail accounts (IMAP) and their rules
export type MailAccount = Schemas['MailAccountOut'];
export type MailAccountCreate = Schemas['MailAccountCreate'];
export type MailAccountUpdate = Schemas['MailAccountUpdate'];
export type MailRule = Schemas['MailRuleOut'];
export type MailRuleCreate = Schemas['MailRuleCreate'];
export type MailTestResult = Schemas['MailTestResult'];
export type MailPollResult = Schemas['MailPollResult'];
export type MailMessage = Schemas['MailMessageOut'];
export type MailMessagePage = Schemas['Page_MailMessageOut_'];
export type MailSecurity = Schemas['Security'];
export type MailIngestMode = Schemas['IngestMode'];
export type MailAfterAction = Schemas['AfterAction'];
export { afterActionValues, ingestModeValues, securityValues } from './schema';
// issue 19: workflows
export type WorkflowRule = Schemas['RuleOut'];
export type WorkflowRuleIn = Schemas['RuleIn'];
export type WorkflowRun = Schemas['RunOut'];
export type WorkflowDryRun = Schemas['DryRunOut'];
// issue 19: views
export type Note = Schemas['NoteOut'];
export type SavedView = Schemas['ViewOut'];
export type BulkJob = Schemas['BulkJobOut'];
export type BulkEditRequest = Schemas['BulkEditRequest'];
export type BulkAction = BulkEditRequest['action'];
