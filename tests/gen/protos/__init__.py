"""One generator per shipped spec: generate(conv, rng, simple) fills a
tests/gen/convo.Conversation with a valid conversation of the protocol,
written from the protocol's own specification (not from specs/*.pne).
simple: nothing after conv.mark_gap_from() that one direction's framing
takes from the other (the hdrgap variant needs it); generators set
conv.gap_ok to False while such state is being set up."""

from . import (bgp, dns, http, http2, iscsi, kafka, modbus, mqtt, mysql,
	       pgsql, redis, rpc, smb2, tls, websocket)

GENERATORS = {m.__name__.rsplit(".", 1)[1]: m.generate for m in (
	bgp, dns, http, http2, iscsi, kafka, modbus, mqtt, mysql, pgsql,
	redis, rpc, smb2, tls, websocket)}
