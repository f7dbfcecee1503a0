"""Who may call a trigger: the access stream's policies when present, otherwise SAS only (spec §2, §3)."""

from __future__ import annotations

from . import access
from .errors import HttpError


def more_than_one(scheme: str, standard: bool) -> HttpError:
    # 401 observed on Consumption/PA, BadRequest in a Standard log (spec §2, open question 3).
    return HttpError(400 if standard else 401, "DirectApiRequestHasMoreThanOneAuthorization",
                     f"The request has SAS authentication scheme, '{scheme}' authorization scheme or internal "
                     "token scheme. Only one scheme should be used.")


def sas_only(*, headers, query, sas_check, standard: bool) -> HttpError | None:
    """The order of checks without OAuth policies: two schemes, no scheme, then the signature."""
    authorization = headers.get("Authorization")
    if authorization is not None and "sig" in query:
        return more_than_one(authorization.split(" ", 1)[0] or authorization, standard)
    if authorization is not None:
        return HttpError(401, "OAuthAccessPolicyNotFound",
                         "The request has an authorization header but the workflow has no open authentication "
                         "access control policy.")
    return sas_check()


def authorize(entry, *, method, headers, query, client_ip, sas_check, keys=None) -> HttpError | None:
    if entry.policy is not None:
        return access.authorize(entry.policy, method=method, headers=headers, query=query, client_ip=client_ip,
                                sas_check=sas_check, keys=keys)
    return sas_only(headers=headers, query=query, sas_check=sas_check, standard=entry.standard)
