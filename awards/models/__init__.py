"""All models, imported here so that Alembic and create_all see every table."""
from awards.models.applications import Application, Attachment  # noqa: F401
from awards.models.audit import AuditLog  # noqa: F401
from awards.models.competitions import Competition, Criterion, PrizeCategory  # noqa: F401
from awards.models.decisions import *  # noqa: F401,F403
from awards.models.jury import *  # noqa: F401,F403
from awards.models.jury_reveal import JuryReveal  # noqa: F401
from awards.models.mail import OutboxMail  # noqa: F401
from awards.models.reference import District  # noqa: F401
from awards.models.retention import RetentionStatistics  # noqa: F401
from awards.models.users import OneTimeToken, RoleAssignment, User  # noqa: F401
from awards.models.publication import PublicationState  # noqa: F401
from awards.models.document_requests import DocumentRequest, DocumentRequestFile  # noqa: F401
from awards.models.nominations import Nomination  # noqa: F401
from awards.models.press import PressKit, PublicText  # noqa: F401
from awards.models.messaging import AutoMailSent, InfobriefIssue, InfobriefSubscription  # noqa: F401
from awards.models.meeting import MeetingAttendance, MeetingNote  # noqa: F401
