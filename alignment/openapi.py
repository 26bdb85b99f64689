"""The OpenAPI 3 description of the JSON API, served at /api/schema."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def schema(*, server: str) -> dict[str, Any]:
    sku = {
        "type": "object",
        "required": ["source", "sku_code", "language", "title", "product_id"],
        "properties": {
            "source": {"type": "string"},
            "sku_code": {"type": "string"},
            "language": {"type": "string", "enum": ["zh", "en", "fr", "es", "de"]},
            "title": {"type": "string"},
            "product_id": {"type": "integer"},
            "brand": {"type": "string"},
            "description": {"type": "string"},
            "attributes": {"type": "object", "additionalProperties": True},
            "category": {"type": "string", "nullable": True, "example": "Home > Kitchen > Kettles"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    common_errors = {
        "401": _error("No token, a malformed Authorization header, or an invalid or revoked token."),
        "405": _error("Wrong method; the Allow header lists the right one."),
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "SKU Align API",
            "version": "1.0",
            "description": (
                "Rerank multilingual product descriptions and read the aligned catalog. "
                "Authenticate with 'Authorization: Token <key>' (or 'Bearer <key>'); keys are created "
                "in the admin or with 'manage.py create_api_token USER' and shown once. "
                "Errors are JSON objects {\"error\": message, \"field\": the request field at fault or null}."
            ),
        },
        "servers": [{"url": server.rstrip("/")}],
        "security": [{"token": []}],
        "paths": {
            "/api/rerank": {
                "post": {
                    "summary": "Rank documents by the probability that they describe the query's product",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RerankRequest"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "Documents sorted by score, best first.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RerankResponse"}}},
                        },
                        "400": _error("Invalid input: missing or empty query, documents not a list of non-empty strings, too many or too long documents, invalid JSON, unknown field, bad top_n."),
                        "413": _error("The body exceeds the server's upload limit."),
                        "415": _error("The body is not sent as application/json."),
                        "503": _error("The scorer failed (for instance its model could not be loaded)."),
                        **common_errors,
                    },
                }
            },
            "/api/products/{id}": {
                "get": {
                    "summary": "A product and its SKUs per language",
                    "description": (
                        "Product ids are stable: when two products merge, the older id survives. Asking for a "
                        "merged-away id answers 200 with the live product it now belongs to; 'requested_id' "
                        "echoes the id asked for and 'merged' is true."
                    ),
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {
                            "description": "The live product.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Product"}}},
                        },
                        "403": _error("The token's user lacks catalog.view_product."),
                        "404": _error("No such product."),
                        **common_errors,
                    },
                }
            },
            "/api/skus/{source}/{sku_code}/matches": {
                "get": {
                    "summary": "The scored candidate pairs of one SKU, with their status",
                    "description": "A source or code containing '/' may be sent as is or as %2F.",
                    "parameters": [
                        {"name": "source", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "sku_code", "in": "path", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "status",
                            "in": "query",
                            "required": False,
                            "schema": {"$ref": "#/components/schemas/MatchStatus"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The SKU and its matches, highest probability first.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SkuMatches"}}},
                        },
                        "400": _error("Unknown status filter."),
                        "403": _error("The token's user lacks alignment.view_match."),
                        "404": _error("No such SKU."),
                        **common_errors,
                    },
                }
            },
            "/api/schema": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 JSON"}}}},
        },
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "'Token <key>' or 'Bearer <key>'",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "field"],
                    "properties": {"error": {"type": "string"}, "field": {"type": "string", "nullable": True}},
                },
                "RerankRequest": {
                    "type": "object",
                    "required": ["query", "documents"],
                    "additionalProperties": False,
                    "properties": {
                        "query": {"type": "string", "minLength": 1, "maxLength": settings.API_MAX_DOCUMENT_CHARS},
                        "documents": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": settings.API_MAX_DOCUMENTS,
                            "items": {"type": "string", "minLength": 1, "maxLength": settings.API_MAX_DOCUMENT_CHARS},
                        },
                        "instruction": {
                            "type": "string",
                            "nullable": True,
                            "description": "What 'the same product' means; English works best. Default: the published default template.",
                        },
                        "top_n": {"type": "integer", "minimum": 1, "description": "Return only the best N."},
                        "category": {
                            "oneOf": [{"type": "integer"}, {"type": "string"}],
                            "description": "A category id or path ('Home > Kitchen > Kettles'): its published instruction and thresholds apply.",
                        },
                    },
                    "example": {
                        "query": "智能恒温电热水壶,1.7L大容量,4档温度调节",
                        "documents": [
                            "Smart Temperature-Controlled Electric Kettle, 1.7L Capacity, 4 Preset Temp Settings",
                            "Digital Food Thermometer with Probe, Fast Reading",
                        ],
                        "top_n": 1,
                    },
                },
                "RerankResponse": {
                    "type": "object",
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "index": {"type": "integer", "description": "Position in the request's documents."},
                                    "document": {"type": "string"},
                                    "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "Calibrated probability of the same product."},
                                    "language": {"type": "string", "nullable": True, "enum": ["zh", "en", "fr", "es", "de", None]},
                                    "band": {"type": "string", "enum": ["auto", "review", "discard"], "description": "Where the pipeline would route the pair at the thresholds."},
                                },
                            },
                        },
                        "model": {
                            "type": "object",
                            "properties": {"scorer": {"type": "string"}, "revision": {"type": "string"}},
                        },
                        "instruction_version": {"type": "integer", "nullable": True, "description": "Version of the template used (the category's or the default); null for the request's own or the built-in instruction."},
                        "instruction_source": {"type": "string", "enum": ["request", "template", "built-in"]},
                        "thresholds": {
                            "type": "object",
                            "properties": {"auto": {"type": "number"}, "review": {"type": "number"}},
                        },
                        "query_language": {"type": "string", "nullable": True},
                        "took_ms": {"type": "number"},
                    },
                },
                "Sku": sku,
                "Product": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "requested_id": {"type": "integer"},
                        "merged": {"type": "boolean"},
                        "sku_count": {"type": "integer"},
                        "skus": {
                            "type": "object",
                            "description": "SKUs per language code (zh, en, fr, es, de).",
                            "additionalProperties": {"type": "array", "items": {"$ref": "#/components/schemas/Sku"}},
                        },
                        "url": {"type": "string"},
                    },
                },
                "MatchStatus": {
                    "type": "string",
                    "enum": ["auto_merged", "pending", "confirmed", "rejected", "discarded", "stale"],
                },
                "SkuMatches": {
                    "type": "object",
                    "properties": {
                        "sku": {"$ref": "#/components/schemas/Sku"},
                        "matches": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "other": {"$ref": "#/components/schemas/Sku"},
                                    "probability": {"type": "number"},
                                    "status": {"$ref": "#/components/schemas/MatchStatus"},
                                    "scorer": {"type": "string"},
                                    "model_revision": {"type": "string"},
                                    "instruction_version": {"type": "integer", "nullable": True},
                                    "decided_at": {"type": "string", "format": "date-time", "nullable": True},
                                    "updated_at": {"type": "string", "format": "date-time"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }
