"""The JSON API: token authentication, the rerank endpoint, product and match lookups.

Integrations send ``Authorization: Token <key>`` (or ``Bearer <key>``); a logged-in
browser session works too, with the usual CSRF protection on POST. Every error is
JSON: ``{"error": "...", "field": ...}``. The OpenAPI description is alignment/openapi.py.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from alignment import openapi, reranking, rescoring
from alignment.models import ApiToken, Match
from alignment.scorers import ScoringError
from alignment.thresholds import thresholds_for
from catalog.models import LANGUAGE_ORDER, PATH_SEPARATOR, SKU, Category, Language, Product, split_category_path

View = Callable[..., HttpResponse]

MAX_INSTRUCTION_CHARS = 4000
RERANK_FIELDS = ("query", "documents", "instruction", "top_n", "category")


class ApiError(Exception):
    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status

    def response(self) -> JsonResponse:
        return JsonResponse({"error": self.message, "field": self.field}, status=self.status)


def api_view(*methods: str, permission: str | None = None) -> Callable[[View], View]:
    """Method check, authentication, permission and JSON errors for one API view.

    Token requests skip CSRF (no cookie is involved); session requests keep it.
    """

    def decorator(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                allowed = (*methods, "HEAD") if "GET" in methods else methods
                if request.method not in allowed:
                    raise ApiError(f"Method {request.method} not allowed: use {', '.join(methods)}", status=405)
                authenticate(request)
                if permission and not request.user.has_perm(permission):
                    raise ApiError(f"Your account lacks the permission {permission}", status=403)
                return view(request, *args, **kwargs)
            except ApiError as exc:
                response = exc.response()
                if exc.status == 405:
                    response["Allow"] = ", ".join(methods)
                elif exc.status == 401:
                    response["WWW-Authenticate"] = 'Token realm="api"'
                return response

        return wrapper

    return decorator


def authenticate(request: HttpRequest) -> None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() not in ("token", "bearer") or not key.strip():
            raise ApiError("Malformed Authorization header: send 'Token <key>' or 'Bearer <key>'", status=401)
        token = ApiToken.authenticate(key.strip())
        if token is None:
            raise ApiError("Invalid or revoked API token", status=401)
        request.user = token.user
        return
    if not request.user.is_authenticated:
        raise ApiError("Authentication required: send 'Authorization: Token <key>'", status=401)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        rejected = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})
        if rejected is not None:
            raise ApiError("CSRF check failed: session requests need the CSRF token", status=403)


@api_view("POST")
def rerank(request: HttpRequest) -> HttpResponse:
    data = parse_rerank(request)
    try:
        ranking = reranking.rerank(
            data["query"], data["documents"], instruction=data["instruction"], category=data["category"]
        )
    except ScoringError as exc:
        raise ApiError(f"Scoring failed: {exc}", status=503) from exc
    results = ranking.results[: data["top_n"]] if data["top_n"] else ranking.results
    template = ranking.template
    auto, review = thresholds_for(data["category"])
    return JsonResponse(
        {
            "results": [
                {
                    "index": item.index,
                    "document": item.document,
                    "score": round(item.probability, 6),
                    "language": item.language,
                    "band": rescoring.band(item.probability, auto=auto, review=review),
                }
                for item in results
            ],
            "thresholds": {"auto": auto, "review": review},
            "model": {"scorer": ranking.scorer, "revision": ranking.model_revision},
            "instruction_version": template.version if template else None,
            "instruction_source": "request" if data["instruction"] else ("template" if template else "built-in"),
            "query_language": ranking.query_language,
            "took_ms": round(ranking.elapsed_ms, 1),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def parse_rerank(request: HttpRequest) -> dict[str, Any]:
    """The validated rerank body; raises ApiError naming the field at fault."""
    if request.content_type != "application/json":
        raise ApiError(
            f"Send the body as JSON with 'Content-Type: application/json' (got {request.content_type or 'none'!r})",
            status=415,
        )
    try:
        body = json.loads(request.body)
    except RequestDataTooBig as exc:
        raise ApiError("The body is too large", status=413) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(f"Invalid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ApiError("The body must be a JSON object")
    unknown = sorted(set(body) - set(RERANK_FIELDS))
    if unknown:
        raise ApiError(f"Unknown field {unknown[0]!r}: expected {', '.join(RERANK_FIELDS)}", field=unknown[0])
    max_chars = settings.API_MAX_DOCUMENT_CHARS
    query = _text(body.get("query"), field="query", max_chars=max_chars)
    documents = body.get("documents")
    if documents is None:
        raise ApiError("documents is required: a list of strings", field="documents")
    if not isinstance(documents, list):
        raise ApiError("documents must be a list of strings", field="documents")
    if not documents:
        raise ApiError("documents must not be empty", field="documents")
    if len(documents) > settings.API_MAX_DOCUMENTS:
        raise ApiError(
            f"Too many documents: {len(documents)} given, at most {settings.API_MAX_DOCUMENTS}",
            field="documents",
        )
    documents = [_text(d, field=f"documents[{i}]", max_chars=max_chars) for i, d in enumerate(documents)]
    instruction = body.get("instruction")
    if instruction is not None:
        if not isinstance(instruction, str):
            raise ApiError("instruction must be a string or null", field="instruction")
        if len(instruction) > MAX_INSTRUCTION_CHARS:
            raise ApiError(f"instruction is longer than {MAX_INSTRUCTION_CHARS} characters", field="instruction")
        instruction = instruction.strip() or None
    top_n = body.get("top_n")
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        raise ApiError("top_n must be a positive integer", field="top_n")
    category = _category(body.get("category"))
    return {"query": query, "documents": documents, "instruction": instruction, "top_n": top_n, "category": category}


def _category(value: object) -> Category | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApiError("category must be a category id or a path like 'Home > Kitchen'", field="category")
    if isinstance(value, int):
        found = Category.objects.filter(pk=value).first() if 0 < value < 2**63 else None
    else:
        found = Category.objects.filter(path=PATH_SEPARATOR.join(split_category_path(value))).first()
    if found is None:
        raise ApiError(f"Unknown category {value!r}", field="category")
    return found


def _text(value: object, *, field: str, max_chars: int) -> str:
    if value is None:
        raise ApiError(f"{field} is required", field=field)
    if not isinstance(value, str):
        raise ApiError(f"{field} must be a string, not {type(value).__name__}", field=field)
    if not value.strip():
        raise ApiError(f"{field} must not be empty", field=field)
    if len(value) > max_chars:
        raise ApiError(f"{field} is {len(value)} characters long, at most {max_chars} are allowed", field=field)
    return value


@api_view("GET", permission="catalog.view_product")
def product(request: HttpRequest, pk: int) -> HttpResponse:
    """A product with its SKUs per language. A merged-away id answers with the live product."""
    try:
        live = Product.objects.get(pk=pk).resolve()
    except Product.DoesNotExist as exc:
        raise ApiError(f"No product {pk}", status=404) from exc
    skus = sorted(
        live.skus.select_related("category"), key=lambda s: (LANGUAGE_ORDER.get(s.language, 99), s.source, s.sku_code)
    )
    by_language: dict[str, list[dict[str, Any]]] = {code: [] for code in Language.values}
    for sku in skus:
        by_language.setdefault(sku.language, []).append(sku_json(sku))
    return JsonResponse(
        {
            "id": live.pk,
            "requested_id": pk,
            "merged": live.pk != pk,
            "sku_count": len(skus),
            "skus": by_language,
            "url": request.build_absolute_uri(f"/api/products/{live.pk}"),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@api_view("GET", permission="alignment.view_match")
def sku_matches(request: HttpRequest, key: str) -> HttpResponse:
    sku = find_sku(key)
    matches = Match.objects.involving(sku).select_related("sku_a", "sku_b", "instruction")
    status = request.GET.get("status")
    if status:
        if status not in Match.Status.values:
            raise ApiError(f"Unknown status {status!r}: use one of {', '.join(Match.Status.values)}", field="status")
        matches = matches.filter(status=status)
    return JsonResponse(
        {
            "sku": sku_json(sku),
            "matches": [
                {
                    "id": match.pk,
                    "other": sku_json(match.sku_b if match.sku_a_id == sku.pk else match.sku_a, brief=True),
                    "probability": round(match.probability, 6),
                    "status": match.status,
                    "scorer": match.scorer,
                    "model_revision": match.model_revision,
                    "instruction_version": match.instruction_version,
                    "decided_at": match.decided_at.isoformat() if match.decided_at else None,
                    "updated_at": match.updated_at.isoformat(),
                }
                for match in matches.order_by("-probability", "pk")
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def find_sku(key: str) -> SKU:
    """The SKU named by "<source>/<sku_code>", where either part may contain slashes
    (servers decode %2F before routing): the shortest source that exists wins."""
    parts = key.split("/")
    candidates = [("/".join(parts[:i]), "/".join(parts[i:])) for i in range(1, len(parts))]
    query = Q()
    for source, sku_code in candidates:
        query |= Q(source=source, sku_code=sku_code)
    found = {(s.source, s.sku_code): s for s in SKU.objects.select_related("category").filter(query)} if candidates else {}
    for candidate in candidates:
        if candidate in found:
            return found[candidate]
    raise ApiError(f"No SKU {key!r}: use /api/skus/<source>/<sku_code>/matches", status=404)


def sku_json(sku: SKU, *, brief: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": sku.source,
        "sku_code": sku.sku_code,
        "language": sku.language,
        "title": sku.title,
        "product_id": sku.product_id,
    }
    if not brief:
        data |= {
            "brand": sku.brand,
            "description": sku.description,
            "attributes": sku.attributes,
            "category": sku.category.path if sku.category_id else None,
            "updated_at": sku.updated_at.isoformat(),
        }
    return data


@api_view("GET")
def schema(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi.schema(server=request.build_absolute_uri("/")))
