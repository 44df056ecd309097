"""Thin API views: parse, call one selector or service, render."""

from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from applications import selectors, services
from applications.permissions import ReadOnlyOrRecruiterOrAdmin
from common.http import client_ip, request_info

from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDecisionInputSerializer,
    ApplicationDecisionSerializer,
    ApplicationOutputSerializer,
    ApplicationUpdateSerializer,
    CandidateResponseInputSerializer,
    CandidateResponseSerializer,
    ConsentInputSerializer,
    ConsentOutputSerializer,
    ConsentState,
    JobInputSerializer,
    JobOutputSerializer,
    JobUpdateSerializer,
    SystemCheckInputSerializer,
    SystemCheckSerializer,
    TerminateInputSerializer,
)


def _paginated(request, view, queryset, serializer_class):
    """`{count, next, previous, results}`: the view's `pagination_class` (the schema reads it
    from there and documents the page)."""
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request}).data
    return paginator.get_paginated_response(data)


class ApplicationListApi(APIView):
    permission_classes = [ReadOnlyOrRecruiterOrAdmin]
    pagination_class = PageNumberPagination

    @extend_schema(responses=ApplicationOutputSerializer(many=True))
    def get(self, request):
        qs = selectors.with_current_decision(
            selectors.applications_with_consent_state(
                selectors.applications_for_user(user=request.user)
            )
        ).order_by("-created_at", "-id")
        return _paginated(request, self, qs, ApplicationOutputSerializer)

    @extend_schema(
        request=ApplicationCreateSerializer, responses={201: ApplicationOutputSerializer}
    )
    def post(self, request):
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        job = selectors.job_get_for_user(user=request.user, job_id=data.pop("job_id"))
        application = services.application_create(actor=request.user, job=job, **data)
        return Response(
            ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED
        )


class ApplicationDetailApi(APIView):
    permission_classes = [ReadOnlyOrRecruiterOrAdmin]

    @extend_schema(responses=ApplicationOutputSerializer)
    def get(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        return Response(ApplicationOutputSerializer(application, context={"request": request}).data)

    @extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationOutputSerializer)
    def patch(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        serializer = ApplicationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        application = services.application_update(
            actor=request.user, application=application, data=serializer.validated_data
        )
        return Response(ApplicationOutputSerializer(application).data)


class JobListApi(APIView):
    permission_classes = [ReadOnlyOrRecruiterOrAdmin]
    pagination_class = PageNumberPagination

    @extend_schema(responses=JobOutputSerializer(many=True))
    def get(self, request):
        qs = selectors.jobs_for_user(user=request.user).order_by("-created_at", "-id")
        return _paginated(request, self, qs, JobOutputSerializer)

    @extend_schema(request=JobInputSerializer, responses={201: JobOutputSerializer})
    def post(self, request):
        serializer = JobInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organization_id = data.pop("organization_id", None)
        organization = (
            get_object_or_404(Organization, pk=organization_id) if organization_id else None
        )
        job = services.job_create(actor=request.user, organization=organization, **data)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_201_CREATED)


class JobDetailApi(APIView):
    permission_classes = [ReadOnlyOrRecruiterOrAdmin]

    @extend_schema(responses=JobOutputSerializer)
    def get(self, request, job_id: int):
        return Response(
            JobOutputSerializer(selectors.job_get_for_user(user=request.user, job_id=job_id)).data
        )

    @extend_schema(request=JobUpdateSerializer, responses=JobOutputSerializer)
    def patch(self, request, job_id: int):
        job = selectors.job_get_for_user(user=request.user, job_id=job_id)
        serializer = JobUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        job = services.job_update(actor=request.user, job=job, data=serializer.validated_data)
        return Response(JobOutputSerializer(job).data)


def _consent_state(application_id: int) -> ConsentState:
    return ConsentState(
        application_id,
        selectors.consent_latest(application_id=application_id),
        selectors.consent_history(application_id=application_id),
    )


class ConsentApi(APIView):
    """The candidate's answer to the monitoring notice: `{"accepted": true}` gives consent
    (201, again 200); `{"accepted": false}` withdraws it when it was given — recording stops
    at once — and otherwise records that the candidate declined. GET shows the latest answer
    and the history (reviewers see it too)."""

    @extend_schema(responses=ConsentOutputSerializer)
    def get(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        return Response(ConsentOutputSerializer(_consent_state(application.pk)).data)

    @extend_schema(
        request=ConsentInputSerializer,
        responses={200: ConsentOutputSerializer, 201: ConsentOutputSerializer},
    )
    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answer = {
            "actor": request.user,
            "application": application,
            "ip": client_ip(request),
            "language": data.get("language") or translation.get_language() or "",
            "notice_version": data.get("notice_version"),
        }
        if data["accepted"]:
            _, created = services.consent_give(**answer)
            return Response(
                ConsentOutputSerializer(_consent_state(application.pk)).data,
                status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            )
        services.consent_refuse(**answer)
        return Response(ConsentOutputSerializer(_consent_state(application.pk)).data)


class ApplicationTransitionApi(APIView):
    """One status transition (README: the transition table); anything else is 409
    `invalid_transition`, the wrong person 403."""

    transition = None  # a service: (actor, application) -> application

    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        application = self.transition(actor=request.user, application=application)
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationStartApi(ApplicationTransitionApi):
    """The candidate starts the interview: invited → in_progress (`started_at`)."""

    transition = staticmethod(services.application_start)

    @extend_schema(request=None, responses=ApplicationOutputSerializer)
    def post(self, request, application_id: int):
        return super().post(request, application_id)


class ApplicationFinishApi(ApplicationTransitionApi):
    """The candidate finishes the interview: in_progress → completed (`completed_at`); the
    camera goes off on every board."""

    transition = staticmethod(services.application_finish)

    @extend_schema(request=None, responses=ApplicationOutputSerializer)
    def post(self, request, application_id: int):
        return super().post(request, application_id)


class ApplicationWithdrawApi(ApplicationTransitionApi):
    """A recruiter of the organization or an admin withdraws the application: invited or
    in_progress → withdrawn (`withdrawn_at`); the camera goes off, captures are refused."""

    transition = staticmethod(services.application_withdraw)

    @extend_schema(request=None, responses=ApplicationOutputSerializer)
    def post(self, request, application_id: int):
        return super().post(request, application_id)


class ApplicationTerminateApi(APIView):
    """A recruiter of the organization or an admin ends an interview under way, with a reason:
    in_progress → terminated (`terminated_at`, `termination_reason`). The candidate's page
    stops camera, screen and captures at once and shows the reason; captures it took before
    are accepted for 5 more minutes."""

    @extend_schema(request=TerminateInputSerializer, responses=ApplicationOutputSerializer)
    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        serializer = TerminateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_terminate(
            actor=request.user, application=application, reason=serializer.validated_data["reason"]
        )
        return Response(ApplicationOutputSerializer(application).data)


class DecisionApi(APIView):
    """A reviewer's decision on an ended interview: `{"outcome", "reason"}` (409
    `interview_in_progress` before the end). A `violation` waits for a second reviewer where
    the organization asks for one; the decision replaces the one in force (audited)."""

    @extend_schema(
        request=ApplicationDecisionInputSerializer, responses={201: ApplicationDecisionSerializer}
    )
    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        services.decision_may_decide(actor=request.user, application=application)
        serializer = ApplicationDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.decision_record(
            actor=request.user,
            application=application,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(
            ApplicationDecisionSerializer(decision).data, status=status.HTTP_201_CREATED
        )


class DecisionConfirmApi(APIView):
    """The second reviewer confirms a decision waiting for them: it becomes final (the same
    person → 409 `same_reviewer`; nothing waiting → 409 `invalid_transition`)."""

    @extend_schema(request=None, responses=ApplicationDecisionSerializer)
    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        decision = services.decision_confirm(
            actor=request.user, application=application, info=request_info(request)
        )
        return Response(ApplicationDecisionSerializer(decision).data)


class CandidateResponseApi(APIView):
    """The candidate's one answer to a final `concerns` or `violation` decision, within
    RESPONSE_WINDOW_DAYS: `{"text"}` (a second → 409 `already_answered`)."""

    @extend_schema(
        request=CandidateResponseInputSerializer, responses={201: CandidateResponseSerializer}
    )
    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        serializer = CandidateResponseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = services.candidate_response_submit(
            actor=request.user,
            application=application,
            info=request_info(request),
            **serializer.validated_data,
        )
        return Response(CandidateResponseSerializer(response).data, status=status.HTTP_201_CREATED)


class SystemCheckApi(APIView):
    """The candidate's system check (the check page): the result is kept with the application
    (`system_check` on it), shown to the reviewer. Allowed before consent and in any status."""

    @extend_schema(request=SystemCheckInputSerializer, responses=SystemCheckSerializer)
    def post(self, request, application_id: int):
        application = selectors.application_get_for_user(
            user=request.user, application_id=application_id
        )
        serializer = SystemCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.system_check_record(
            actor=request.user, application=application, **serializer.validated_data
        )
        return Response(SystemCheckSerializer(result).data)
