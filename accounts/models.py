from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .signals import password_changed, user_deactivated, user_rights_changed


class Organization(models.Model):
    """A hiring company. Recruiters belong to one; candidates reach one through a job."""

    class IdentityCheck(models.TextChoices):
        OFF = "off", "Off: no face templates, no matching"
        SELFIE = "selfie", "Selfie: every camera frame matched with it"
        SELFIE_AND_DOCUMENT = "selfie_and_document", "Selfie and an ID document's photo"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=(
            "Days the recording of an interview is kept after it ends (empty: the default, "
            "MONITORING_RETENTION_DAYS). The consent notice states this window."
        ),
    )
    identity_check = models.CharField(
        max_length=24,
        choices=IdentityCheck.choices,
        default=IdentityCheck.SELFIE,
        help_text="What the candidate shows before the interview; camera frames are matched "
        "with the selfie. Off: no face template is ever made.",
    )
    identity_threshold = models.FloatField(
        default=0.6,
        validators=[MinValueValidator(0.2), MaxValueValidator(1.2)],
        help_text="Face distance at or below which two faces count as the same person (dlib's "
        "documented operating point: 0.6; lower is stricter).",
    )
    document_retention_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Days an ID document's photo is kept after the interview ends.",
    )
    decision_second_review = models.BooleanField(
        default=False,
        help_text="A `violation` decision needs a second reviewer's confirmation before it is "
        "final (the four-eyes rule).",
    )
    # Single sign-on (accounts.sso): the organization's own OpenID Connect provider.
    sso_issuer = models.URLField(
        "SSO issuer",
        blank=True,
        help_text="The OpenID Connect issuer URL (its /.well-known/openid-configuration is "
        "read). Empty: no single sign-on.",
    )
    sso_client_id = models.CharField("SSO client id", max_length=200, blank=True)
    sso_client_secret = models.CharField("SSO client secret", max_length=500, blank=True)
    sso_email_domains = models.CharField(
        "SSO e-mail domains",
        max_length=500,
        blank=True,
        help_text="Comma-separated domains (e.g. acme.com, acme.co.uk): only people whose "
        "provider-given e-mail is at one of them may sign in, as recruiters of this "
        "organization.",
    )
    sso_required = models.BooleanField(
        "SSO required",
        default=False,
        help_text="Staff of this organization sign in only through single sign-on: their "
        "password sign-in (page and API token) is refused. Candidates are not affected.",
    )
    second_factor_required = models.BooleanField(
        default=False,
        help_text="Recruiters of this organization must use a second factor (an "
        "authenticator app): without one, the console and admin send them to set it up.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """An issuer must be https (SSO_ALLOW_HTTP_ISSUER allows http for a provider on this
        machine); requiring single sign-on needs it set up, with at least one domain."""
        from urllib.parse import urlsplit

        from django.core.exceptions import ValidationError

        errors = {}
        issuer = urlsplit(self.sso_issuer) if self.sso_issuer else None
        if issuer and issuer.scheme != "https" and not settings.SSO_ALLOW_HTTP_ISSUER:
            errors["sso_issuer"] = "The issuer must be an https:// URL."
        if self.sso_issuer and not self.sso_client_id:
            errors["sso_client_id"] = "The provider's client id is needed with an issuer."
        if self.sso_issuer and not self.sso_domains:
            errors["sso_email_domains"] = "Name at least one e-mail domain (e.g. acme.com)."
        bad = [d for d in self.sso_domains if "." not in d or "@" in d or " " in d]
        if bad:
            errors["sso_email_domains"] = f"Not a domain: {', '.join(bad)}."
        if self.sso_required and not self.sso_enabled:
            errors["sso_required"] = "Set up the issuer and client id first."
        if errors:
            raise ValidationError(errors)

    @property
    def sso_enabled(self) -> bool:
        return bool(self.sso_issuer and self.sso_client_id)

    @property
    def sso_domains(self) -> list[str]:
        """The allowed e-mail domains, lower-case, without a leading @."""
        parts = (d.strip().lower().lstrip("@") for d in self.sso_email_domains.split(","))
        return [d for d in parts if d]

    @property
    def retention_window_days(self) -> int:
        """The window in force: the organization's own, or the default."""
        return self.retention_days or settings.MONITORING_RETENTION_DAYS


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """A superuser is an Invigil admin too (the role drives every scope)."""
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        RECRUITER = "recruiter", _("Recruiter")
        ADMIN = "admin", _("Admin")

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CANDIDATE)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text="The recruiter's organization. Candidates reach organizations through jobs.",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        indexes = [models.Index(fields=["role", "organization"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    RIGHTS = ("role", "organization_id", "is_staff", "is_superuser")

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._stored_active = user.is_active if "is_active" in field_names else None
        if set(cls.RIGHTS) <= set(field_names):  # a full row, not a deferred one
            user._stored_rights = user._rights()
        return user

    def _rights(self) -> tuple:
        return tuple(getattr(self, name) for name in self.RIGHTS)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._password_changed = True

    def save(self, *args, **kwargs):
        """Tell the rest of the app when a password changed, an account was deactivated or its
        rights changed (role, organization, staff status): those end the user's sessions or
        sockets (accounts.receivers)."""
        adding = self._state.adding
        changed = getattr(self, "_password_changed", False)
        deactivated = getattr(self, "_stored_active", None) is True and not self.is_active
        stored_rights = getattr(self, "_stored_rights", None)
        rights_changed = stored_rights is not None and stored_rights != self._rights()
        super().save(*args, **kwargs)
        self._password_changed, self._stored_active = False, self.is_active
        self._stored_rights = self._rights()
        if not adding and changed:
            password_changed.send(sender=User, user=self)
        if not adding and deactivated:
            user_deactivated.send(sender=User, user=self)
        if not adding and rights_changed:
            user_rights_changed.send(sender=User, user=self)

    @property
    def display_name(self) -> str:
        """The name people know: the full name, else the e-mail (an invited candidate who
        has not given a name), else the username."""
        return self.get_full_name() or self.email or self.username

    @property
    def secondary_name(self) -> str:
        """What tells two people of one name apart: the @username, and the e-mail when the
        name shown is not already the e-mail."""
        if self.email and self.email != self.display_name:
            return f"@{self.username} · {self.email}"
        return f"@{self.username}"

    @property
    def is_candidate(self) -> bool:
        return self.role == self.Role.CANDIDATE

    @property
    def is_recruiter(self) -> bool:
        return self.role == self.Role.RECRUITER

    @property
    def is_admin_role(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_staff_role(self) -> bool:
        """Recruiters and admins: the people who review interviews."""
        return self.role in (self.Role.RECRUITER, self.Role.ADMIN)
