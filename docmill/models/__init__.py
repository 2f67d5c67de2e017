"""SQLAlchemy 2 typed models. Migrations (docmill/db/migrations) own the schema, enums included."""

from docmill.models.ask import AskThread, AskTurn
from docmill.models.auth import ApiToken, LoginSession, User
from docmill.models.base import ACTIVE_STATUSES, Base, QueueStatus, SuggestionStatus
from docmill.models.category import Category
from docmill.models.chunk import Chunk
from docmill.models.document import Document
from docmill.models.feed import Feed, FeedItem
from docmill.models.fields import CustomField, DocumentFieldValue, FieldSuggestion
from docmill.models.history import DashboardSample
from docmill.models.library import LibrarySuggestion
from docmill.models.mail import MailAccount, MailFolder, MailMessage, MailMessageDocument, MailRule
from docmill.models.page import DocumentPage
from docmill.models.permissions import AuditEntry, DocumentShare, Group, GroupMember
from docmill.models.queue import QueueRow, StageControl
from docmill.models.workflows import WebhookDelivery, WorkflowRule, WorkflowRun
from docmill.models.workspace import BulkJob, DocumentNote, SavedView

__all__ = [
    "ACTIVE_STATUSES",
    "ApiToken",
    "AskThread",
    "AskTurn",
    "AuditEntry",
    "Base",
    "BulkJob",
    "Category",
    "Chunk",
    "CustomField",
    "DashboardSample",
    "Document",
    "DocumentFieldValue",
    "DocumentNote",
    "DocumentPage",
    "DocumentShare",
    "Feed",
    "FeedItem",
    "FieldSuggestion",
    "Group",
    "GroupMember",
    "LibrarySuggestion",
    "LoginSession",
    "MailAccount",
    "MailFolder",
    "MailMessage",
    "MailMessageDocument",
    "MailRule",
    "QueueRow",
    "QueueStatus",
    "SavedView",
    "StageControl",
    "SuggestionStatus",
    "User",
    "WebhookDelivery",
    "WorkflowRule",
    "WorkflowRun",
]
