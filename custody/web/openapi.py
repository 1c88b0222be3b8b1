"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("openapi", __name__)

_ERROR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    """Responses in the one error shape for these status codes."""
    return {str(c): {"description": "error", "content": {"application/json": {"schema": _ERROR}}}
            for c in codes}


_REPORT_PARAMS = [{"name": name, "in": "query", "schema": {"type": "string", "format": "date"}}
                  for name in ("from", "to")]

SPEC: dict = {
    "openapi": "3.1.0",
    "info": {"title": "Custody API", "version": "1",
             "description": "QR chain of custody for sorted municipal waste. Phones send "
                            "`Authorization: Bearer <device token>`."},
    "components": {
        "securitySchemes": {"deviceToken": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "message_zh": {"type": "string"}}}}},
            "Handover": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "hash": {"type": "string"},
                "source": {"type": "string"}, "dest": {"type": "string"},
                "action": {"type": ["string", "null"]},
                "flags": {"type": "array", "items": {"type": "string"}},
                "server_time": {"type": "string", "format": "date-time"}}},
            "ScanRecorded": {"type": "object", "properties": {
                "scan_id": {"type": "integer"}, "status": {"const": "recorded"},
                "photo_sha256": {"type": "string"},
                "codes": {"type": "array", "items": {"type": "object"}},
                "handovers": {"type": "array", "items": {"$ref": "#/components/schemas/Handover"}},
                "flags": {"type": "array", "items": {"type": "string"}},
                "message": {"type": "object", "properties": {"zh": {"type": "string"},
                                                             "en": {"type": "string"}}}}},
        },
    },
    "security": [{"deviceToken": []}],
    "paths": {
        "/api/v1/scans": {"post": {
            "summary": "Record the handovers a photographed scan implies",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "schema": {"type": "string", "maxLength": 100},
                            "description": "New per scan; the same on every retry."}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["photo", "action"], "properties": {
                    "photo": {"type": "string", "format": "binary"},
                    "action": {"enum": ["deposit", "collect", "unload", "load", "deliver",
                                        "inspect"]},
                    "weight_kg": {"type": "number", "minimum": 0},
                    "category": {"enum": ["kitchen", "recyclable", "hazardous", "other"]},
                    "client_time": {"type": "string", "format": "date-time"},
                    "lat": {"type": "number"}, "lon": {"type": "number"},
                    "accuracy_m": {"type": "number"}, "note": {"type": "string"}}}}}},
            "responses": {"201": {"description": "recorded (or the stored answer of a retry)",
                                  "content": {"application/json": {"schema": {
                                      "$ref": "#/components/schemas/ScanRecorded"}}}},
                          **_errors(400, 401, 403, 413, 422)}}},
        "/api/v1/scans/{scan_id}": {"get": {
            "summary": "The stored answer of one scan attempt",
            "parameters": [{"name": "scan_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "the attempt"}, **_errors(401, 404)}}},
        "/api/v1/me": {"get": {"summary": "Who the token or session belongs to",
                               "responses": {"200": {"description": "the principal"},
                                             **_errors(401)}}},
        "/api/v1/devices": {
            "get": {"summary": "Enrolled phones (supervisors)", "responses": {
                "200": {"description": "devices"}, **_errors(401, 403)}},
            "post": {"summary": "Enrol a phone: the token is shown once", "responses": {
                "201": {"description": "device and token"}, **_errors(400, 401, 403, 422)}}},
        "/api/v1/devices/{device_id}": {
            "parameters": [{"name": "device_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "get": {"summary": "One device", "responses": {"200": {"description": "device"},
                                                           **_errors(401, 403, 404)}},
            "delete": {"summary": "Revoke: refused from the next request on",
                       "responses": {"204": {"description": "revoked"},
                                     **_errors(401, 403, 404)}}},
        "/api/v1/tonnage": {"get": {
            "summary": "Daily tonnage per node and category (from the daily rollups)",
            "security": [],
            "parameters": _REPORT_PARAMS + [
                {"name": "level", "in": "query", "schema": {"enum": [
                    "district", "village", "booth", "transfer_room", "facility"]},
                 "description": "booth: staff only"},
                {"name": "node", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "rows: day, node, category, "
                                                 "<measure>_kg and <measure>_count"},
                          **_errors(400)}}},
        "/api/v1/tonnage.csv": {"get": {
            "summary": "The same rows as CSV", "security": [],
            "parameters": _REPORT_PARAMS,
            "responses": {"200": {"description": "text/csv"}, **_errors(400)}}},
        "/api/v1/mass-balance": {"get": {
            "summary": "In minus out per transfer room, day and category (supervisors)",
            "parameters": _REPORT_PARAMS + [
                {"name": "room", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "rows with in_kg, out_kg, gap_kg, flagged"},
                          **_errors(400, 401, 403)}}},
        "/healthz": {"get": {"summary": "Database reachable at the right schema",
                             "security": [],
                             "responses": {"200": {"description": "ok"}, **_errors(503)}}},
    },
}


@bp.get("/api/v1/openapi.json")
def openapi():
    """The API description."""
    return jsonify(SPEC)
