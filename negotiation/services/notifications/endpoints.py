"""Webhook endpoints: a store's owner subscribes URLs to its store's events; reviewers and
admins to every store's. Each endpoint has a signing secret, shown once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from models import WebhookEndpoint, WebhookSecret
from models.notifications import DESCRIPTION_LIMIT, URL_LIMIT
from negotiation.adapters import webhook_transport
from negotiation.adapters.sealing import Seal
from negotiation.domain import errors
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.domain.errors import Forbidden, InvalidInput, NotFound, Refused
from negotiation.domain.event_types import unknown_patterns
from negotiation.services.core import pagination
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import Page
from negotiation.services.notifications.settings import WebhookSettings
from negotiation.services.notifications.views import EndpointView

# How long the secret a rotation replaces goes on signing beside the new one (API.md).
ROTATION_OVERLAP = timedelta(hours=24)
PURGE_AFTER = timedelta(hours=1)
MAX_EVENT_TYPES = 50


def create_endpoint(uow: UnitOfWork, caller: Caller, settings: WebhookSettings, seal: Seal, *,
                    url: str, event_types: Sequence[str],
                    description: str = "") -> EndpointView:
    store_id = _scope_of(caller)
    _check_url(url, settings)
    types = _checked_types(event_types)
    _check_description(description)
    with uow:
        endpoint = WebhookEndpoint(
            store_id=store_id, created_by=caller.account_id, url=url,
            description=description, event_types=types, enabled=True, created_at=uow.now,
            updated_at=uow.now)
        secret = webhook_transport.new_secret()
        endpoint.secrets.append(WebhookSecret(sealed=seal.seal(secret), created_at=uow.now))
        uow.add(endpoint)
        uow.commit()
        return EndpointView.of(endpoint, uow.now, secret)


def list_endpoints(uow: UnitOfWork, caller: Caller, *, limit: int,
                   cursor: str | None = None) -> Page[EndpointView]:
    store_id = _scope_of(caller)
    after_id = pagination.decode_id(cursor)
    with uow:
        found = list(uow.webhooks.endpoints(store_id, after_id=after_id, limit=limit + 1))
        more = len(found) > limit
        found = found[:limit]
        return Page([EndpointView.of(e, uow.now) for e in found],
                    pagination.encode_id(found[-1].id) if more else None)


def get_endpoint(uow: UnitOfWork, caller: Caller, endpoint_id: int) -> EndpointView:
    with uow:
        return EndpointView.of(endpoint_for(uow, caller, endpoint_id), uow.now)


def update_endpoint(uow: UnitOfWork, caller: Caller, settings: WebhookSettings,
                    endpoint_id: int, *, url: str | None = None,
                    event_types: Sequence[str] | None = None, enabled: bool | None = None,
                    description: str | None = None) -> EndpointView:
    if url is not None:
        _check_url(url, settings)
    types = _checked_types(event_types) if event_types is not None else None
    if description is not None:
        _check_description(description)
    with uow:
        endpoint = endpoint_for(uow, caller, endpoint_id, lock=True)
        if url is not None:
            endpoint.url = url
        if types is not None:
            endpoint.event_types = types
        if description is not None:
            endpoint.description = description
        if enabled is not None and enabled != endpoint.enabled:
            endpoint.enabled = enabled
            # Re-enabled, its pending deliveries go out again; the reason was the old state's.
            endpoint.disabled_reason = (None if enabled else
                                        f"Disabled by account {caller.actor}.")
        endpoint.updated_at = uow.now
        uow.commit()
        return EndpointView.of(endpoint, uow.now)


def delete_endpoint(uow: UnitOfWork, caller: Caller, endpoint_id: int) -> None:
    """Gone at once: nothing more is sent to it and its owner finds it no more; its
    secrets go now, its rows when :func:`purge_deleted_endpoints` comes by."""
    with uow:
        endpoint = endpoint_for(uow, caller, endpoint_id, lock=True)
        endpoint.enabled, endpoint.deleted_at = False, uow.now
        endpoint.disabled_reason = f"Deleted by account {caller.actor}."
        endpoint.secrets.clear()
        uow.commit()


def purge_deleted_endpoints(new_uow: Callable[[], UnitOfWork]) -> int:
    """Remove what endpoints deleted over an hour ago left: far longer than a request that
    read one before it was deleted takes to write its deliveries."""
    with new_uow() as uow:
        purged = uow.webhooks.purge_deleted(before=uow.now - PURGE_AFTER)
        uow.commit()
        return purged


def rotate_secret(uow: UnitOfWork, caller: Caller, seal: Seal,
                  endpoint_id: int) -> EndpointView:
    """A new secret, shown now; the one it replaces signs beside it for 24 hours, so a
    receiver can switch without missing a delivery. Older ones stop signing at once."""
    with uow:
        endpoint = endpoint_for(uow, caller, endpoint_id, lock=True)
        for old in list(endpoint.secrets):
            if old.retires_at is None:
                old.retires_at = uow.now + ROTATION_OVERLAP
            else:
                endpoint.secrets.remove(old)
        secret = webhook_transport.new_secret()
        endpoint.secrets.append(WebhookSecret(sealed=seal.seal(secret), created_at=uow.now))
        endpoint.updated_at = uow.now
        uow.commit()
        return EndpointView.of(endpoint, uow.now, secret)


def endpoint_for(uow: UnitOfWork, caller: Caller, endpoint_id: int, *,
                 lock: bool = False) -> WebhookEndpoint:
    """The endpoint, if it is the caller's to manage: another store's answers as absent."""
    store_id = _scope_of(caller)
    endpoint = uow.webhooks.endpoint(endpoint_id, lock=lock)
    if endpoint is None or endpoint.store_id != store_id:
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return endpoint


def _scope_of(caller: Caller) -> int | None:
    """Whose endpoints the caller manages: its store's (an owner), or the platform's
    (None: reviewers and admins share them)."""
    if caller.role is Role.OWNER and caller.store_id is not None:
        return caller.store_id
    if caller.role in (Role.ADMIN, Role.REVIEWER):
        return None
    raise Forbidden("Webhook endpoints are managed by a store's owner, and by reviewers "
                    "and admins for the whole platform.")


def _check_url(url: str, settings: WebhookSettings) -> None:
    if len(url) > URL_LIMIT:
        raise InvalidInput(f"url is at most {URL_LIMIT} characters.", field="url")
    try:
        webhook_transport.resolve_target(url, allow_private=settings.allow_private_urls)
    except webhook_transport.UrlNotAllowed as refusal:
        raise Refused(f"url is not allowed: {refusal.reason}",
                      code=errors.WEBHOOK_URL_NOT_ALLOWED, field="url") from None


def _checked_types(event_types: Sequence[str]) -> list[str]:
    types = list(dict.fromkeys(event_types))  # in the order given, once each
    if not types:
        raise InvalidInput("event_types names at least one type, a family (card.*) or *.",
                           field="event_types")
    if len(types) > MAX_EVENT_TYPES:
        raise InvalidInput(f"event_types names at most {MAX_EVENT_TYPES} patterns.",
                           field="event_types")
    if unknown := unknown_patterns(types):
        raise InvalidInput(f"event_types names no such event type: {', '.join(unknown)}.",
                           field="event_types")
    return types


def _check_description(description: str) -> None:
    if len(description) > DESCRIPTION_LIMIT:
        raise InvalidInput(f"description is at most {DESCRIPTION_LIMIT} characters.",
                           field="description")
