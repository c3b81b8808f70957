"""Apache Kafka protocol (kafka.apache.org/protocol, "Protocol" section):
every request and response is an INT32 Size then the message; request
header v0-v2 (api_key, api_version, correlation_id, nullable client_id,
tagged fields), response header v0-v1 (correlation_id). Responses come in
request order. Every message is one ADU; requests are named by API key."""

import struct

from convo import C2S, S2C, payload_size, rbytes, token

API = ["Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr", "StopReplica",
       "UpdateMetadata", "ControlledShutdown", "OffsetCommit", "OffsetFetch",
       "FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup",
       "DescribeGroups", "ListGroups", "SaslHandshake", "ApiVersions", "CreateTopics",
       "DeleteTopics", "DeleteRecords", "InitProducerId", "OffsetForLeaderEpoch",
       "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers",
       "TxnOffsetCommit", "DescribeAcls", "CreateAcls", "DeleteAcls", "DescribeConfigs",
       "AlterConfigs", "AlterReplicaLogDirs", "DescribeLogDirs", "SaslAuthenticate",
       "CreatePartitions", "CreateDelegationToken", "RenewDelegationToken",
       "ExpireDelegationToken", "DescribeDelegationToken", "DeleteGroups",
       "ElectLeaders", "IncrementalAlterConfigs", "AlterPartitionReassignments",
       "ListPartitionReassignments", "OffsetDelete", "DescribeClientQuotas",
       "AlterClientQuotas", "DescribeUserScramCredentials", "AlterUserScramCredentials",
       "Vote", "BeginQuorumEpoch", "EndQuorumEpoch", "DescribeQuorum", "AlterPartition",
       "UpdateFeatures", "Envelope", "FetchSnapshot", "DescribeCluster",
       "DescribeProducers", "BrokerRegistration", "BrokerHeartbeat", "UnregisterBroker",
       "DescribeTransactions", "ListTransactions", "AllocateProducerIds",
       "ConsumerGroupHeartbeat", "ConsumerGroupDescribe", "ControllerRegistration",
       "GetTelemetrySubscriptions", "PushTelemetry", "AssignReplicasToDirs",
       "ListClientMetricsResources", "DescribeTopicPartitions"]


def request(conv, rng, api_key, version, cid):
	if rng.random() < 0.1:
		client = struct.pack(">h", -1)                  # null client_id
	else:
		client = struct.pack(">h", 0) if rng.random() < 0.05 else b""
		if not client:
			s = ("client-" + token(rng)).encode()
			client = struct.pack(">h", len(s)) + s
	tagged = b"\0" if version >= 9 and rng.random() < 0.5 else b""
	body = rbytes(rng, payload_size(rng, 1 << 20))
	msg = struct.pack(">hhi", api_key, version, cid) + client + tagged + body
	name = API[api_key] if api_key < len(API) else "request"
	conv.add(C2S, struct.pack(">i", len(msg)) + msg, name,
		 {"length": len(msg), "api_key": api_key, "api_version": version,
		  "correlation_id": cid & 0xffffffff},
		 [(12 + len(client) + len(tagged), 4 + len(msg))])


def response(conv, rng, cid):
	body = rbytes(rng, payload_size(rng, 1 << 20))
	msg = struct.pack(">i", cid) + body
	conv.add(S2C, struct.pack(">i", len(msg)) + msg, "response",
		 {"length": len(msg), "correlation_id": cid & 0xffffffff},
		 [(8, 4 + len(msg))])


def generate(conv, rng, simple):
	cid = rng.randint(-5, 1 << 20)
	pending = []
	request(conv, rng, 18, rng.choice([0, 3]), cid)          # ApiVersions first
	pending.append(cid)
	for _ in range(rng.randint(0, 25)):
		if pending and rng.random() < 0.45:
			response(conv, rng, pending.pop(0))
			continue
		cid = (cid + 1) & 0x7fffffff
		r = rng.random()
		api_key = rng.randint(0, 75) if r < 0.95 else rng.randint(76, 255)
		request(conv, rng, api_key, rng.randint(0, 15), cid)
		if not (api_key == 0 and rng.random() < 0.3):    # Produce acks=0: no response
			pending.append(cid)
	for c in pending:
		response(conv, rng, c)
