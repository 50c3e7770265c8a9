"""GeoReport v2 formats: Helsinki's service list in JSON and XML, rendering, round trips."""

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from open311.errors import Open311Error, error_body, error_list
from open311.formats import (
    Open311FormatError,
    ServiceInfo,
    parse_list,
    parse_services,
    render,
    render_json,
    render_xml,
)


def xml_root(body: bytes) -> ET.Element:
    return ET.fromstring(body)  # noqa: S314 - our own renderer's output


def test_helsinki_lists_15_services_in_both_formats(helsinki_json, helsinki_xml):
    from_json = parse_services(helsinki_json, "json")
    from_xml = parse_services(helsinki_xml, "xml")
    assert len(from_json) == len(from_xml) == 15
    assert [s.service_code for s in from_json] == [s.service_code for s in from_xml]
    assert all(isinstance(s.service_code, str) for s in from_json)
    assert [(s.service_name, s.group, s.type, s.metadata) for s in from_json] == [
        (s.service_name, s.group, s.type, s.metadata) for s in from_xml
    ]


def test_keyword_spacing_is_normalised(helsinki_json, helsinki_xml):
    from_json = {s.service_code: s for s in parse_services(helsinki_json, "json")}
    from_xml = {s.service_code: s for s in parse_services(helsinki_xml, "xml")}
    # JSON says "garbage,debris", XML "garbage, debris"
    assert from_json["246"].keywords == from_xml["246"].keywords == ("garbage", "debris")
    assert from_json["246"].to_dict()["keywords"] == "garbage,debris"


def test_the_two_helsinki_files_differ_only_where_their_commits_did(helsinki_json, helsinki_xml):
    """The files come from different commits: these are the real content differences."""
    from_json = {s.service_code: s for s in parse_services(helsinki_json, "json")}
    from_xml = {s.service_code: s for s in parse_services(helsinki_xml, "xml")}
    differing = {code for code in from_json if from_json[code] != from_xml[code]}
    assert differing == {"171", "174", "199", "211", "234"}
    assert from_xml["174"].keywords == ()  # an empty <keywords></keywords>


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_helsinki_round_trips_through_our_renderer(helsinki_json, helsinki_xml, fmt):
    original = parse_services(helsinki_json if fmt == "json" else helsinki_xml, fmt)
    body, content_type = render("services", [s.to_dict() for s in original], fmt)
    assert content_type.startswith("application/json" if fmt == "json" else "text/xml")
    assert parse_services(body, fmt) == original


def test_json_read_renders_as_equivalent_xml(helsinki_json):
    services = parse_services(helsinki_json, "json")
    xml_body = render_xml("services", [s.to_dict() for s in services])
    assert xml_body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = xml_root(xml_body)
    assert root.tag == "services"
    assert [child.tag for child in root] == ["service"] * 15
    assert root[0].findtext("service_code") == "172"
    assert root[0].findtext("metadata") == "false"
    assert parse_services(xml_body, "xml") == services


def test_service_requests_render_as_a_top_level_array_and_request_elements():
    requests = [
        {
            "service_request_id": "101",
            "status": "open",
            "status_notes": "Claimed by Baton Rouge Green <& partners>",
            "service_code": "illegal_dumping",
            "requested_datetime": datetime(2026, 7, 15, 18, 30, tzinfo=UTC),
            "address": None,
            "lat": 30.500942,
            "long": -91.147001,
        }
    ]
    as_json = json.loads(render_json(requests))
    assert isinstance(as_json, list)
    assert as_json[0]["requested_datetime"] == "2026-07-15T18:30:00+00:00"
    as_xml = render_xml("service_requests", requests)
    assert b"<service_requests><request><service_request_id>101</service_request_id>" in as_xml
    assert b"&lt;&amp; partners&gt;" in as_xml
    assert b"<address />" in as_xml or b"<address></address>" in as_xml
    parsed = parse_list(as_xml, "xml", "service_requests")
    assert parsed[0]["status_notes"] == "Claimed by Baton Rouge Green <& partners>"
    assert parsed[0]["lat"] == "30.500942"


def test_nested_lists_use_the_spec_child_names():
    definition = {
        "service_code": "illegal_dumping",
        "attributes": [
            {
                "variable": True,
                "code": "SIZE",
                "datatype": "singlevaluelist",
                "values": [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}],
            }
        ],
    }
    body = render_xml("service_definition", definition)
    root = xml_root(body)
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/name").text == "Small"
    assert [v.findtext("key") for v in root.iterfind("attributes/attribute/values/value")] == [
        "s",
        "l",
    ]


def test_control_characters_never_reach_the_xml():
    body = render_xml("service_requests", [{"description": "bad\x00byte\x1bhere"}])
    assert xml_root(body).findtext("request/description") == "badbytehere"


def test_xml_with_a_doctype_is_refused():
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><services></services>'
    with pytest.raises(Open311FormatError, match="DOCTYPE"):
        parse_services(evil, "xml")


def test_wrong_documents_are_format_errors():
    with pytest.raises(Open311FormatError, match="expected <services>"):
        parse_services(b"<errors></errors>", "xml")
    with pytest.raises(Open311FormatError, match="top-level array"):
        parse_services(b'{"service_code": "1"}', "json")
    with pytest.raises(Open311FormatError, match="well-formed"):
        parse_services(b"<services>", "xml")
    with pytest.raises(Open311FormatError, match="without a service_code"):
        parse_services(b'[{"service_name": "x"}]', "json")
    with pytest.raises(Open311FormatError, match="unknown format"):
        render("services", [], "csv")


def test_numeric_codes_become_strings():
    assert parse_services(b'[{"service_code": 172, "metadata": "true"}]', "json") == [
        ServiceInfo(service_code="172", service_name="", metadata=True)
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_are_a_list_of_code_and_description(fmt):
    body, _ = error_body(Open311Error.forbidden(), fmt)
    if fmt == "json":
        assert json.loads(body) == [{"code": 403, "description": "Invalid api_key"}]
    else:
        root = xml_root(body)
        assert root.tag == "errors"
        assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
            ("403", "Invalid api_key")
        ]


def test_an_error_can_carry_several_descriptions():
    error = Open311Error.bad_request("service_code is required", "lat must be a number")
    assert error.status == 400
    assert error_list(error.errors) == [
        {"code": 400, "description": "service_code is required"},
        {"code": 400, "description": "lat must be a number"},
    ]
    assert error_list([(404, "no such request")]) == [
        {"code": 404, "description": "no such request"}
    ]
    assert Open311Error.not_found("x").status == 404
