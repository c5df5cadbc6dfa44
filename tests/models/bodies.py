"""Example bodies of the backend (docs/api-behaviour.md) and of the vendor docs pages, as JSON."""

from __future__ import annotations

from typing import Any

RUN_TEST_LIST: dict[str, Any] = {
    "count": 11,
    "next": "http://api.futureagi.com/simulate/run-tests/?limit=10&page=2",
    "previous": None,
    "results": [
        {
            "id": "648954b1-c683-4f29-98e6-6da46aad53d7",
            "name": "Billing bot nightly",
            "description": "Voice regression",
            "agent_definition": "f46abbb7-c6fe-42b8-9536-f0c752c68c02",
            "agent_version": {
                "id": "3bcfbace-57a1-43eb-94e2-29a3d35efe03",
                "name": "v3",
                "configuration_snapshot": {"agent_type": "voice"},
                "api_key": "sk-****f9a1",
            },
            "agent_definition_detail": {
                "id": "f46abbb7-c6fe-42b8-9536-f0c752c68c02",
                "agent_name": "Billing bot",
                "agent_type": "voice",
                "inbound": True,
                "provider": "vapi",
                "languages": ["en"],
                "livekit_url": "",
                "livekit_max_concurrency": 5,
                "created_at": "2026-01-02T03:04:05Z",
                "brand_new_key": 1,
            },
            "source_type": "agent_definition",
            "source_type_display": "Agent Definition",
            "prompt_template": None,
            "prompt_template_detail": None,
            "prompt_version": None,
            "prompt_version_detail": None,
            "scenarios": ["d8e76511-0189-4bc1-9e6e-f859e567f797"],
            "scenarios_detail": [
                {
                    "id": "d8e76511-0189-4bc1-9e6e-f859e567f797",
                    "name": "Billing Inquiry",
                    "description": None,
                    "scenario_type": "dataset",
                    "dataset_rows": 20,
                    "dataset_column_config": [],
                    "graph": {},
                    "agent": None,
                    "status": "Running",
                    "agent_type": "outbound",
                }
            ],
            "dataset_row_ids": [],
            "simulator_agent": None,
            "simulator_agent_detail": None,
            "simulate_eval_configs": ["fa38521a-fd0f-419a-bc3a-2773311419ab"],
            "simulate_eval_configs_detail": [
                {
                    "id": "fa38521a-fd0f-419a-bc3a-2773311419ab",
                    "name": "helpful_or_not",
                    "config": {},
                    "mapping": None,
                    "filters": {},
                    "error_localizer": False,
                    "model": "turing_large",
                    "status": "Completed",
                    "eval_group": None,
                    "template_id": "d7067a25-821a-44f5-a199-a1b7e7a14948",
                }
            ],
            "organization": "89a73ce5-49d0-467a-8323-5c92b563ed9f",
            "enable_tool_evaluation": False,
            "created_at": "2026-03-02T09:14:05.512337Z",
            "updated_at": "2026-03-18T16:40:00.100200Z",
            "last_run_at": "2026-03-20T02:00:11.004512Z",
            "deleted": False,
            "deleted_at": None,
        }
    ],
    "total_pages": 2,
    "current_page": 1,
}

# /simulate/run-tests/{id}/ for a prompt run: agent_version is the raw FK.
RUN_TEST_PROMPT: dict[str, Any] = {
    "id": "11111111-c683-4f29-98e6-6da46aad53d7",
    "name": "Prompt run",
    "description": "",
    "agent_definition": None,
    "agent_version": "3bcfbace-57a1-43eb-94e2-29a3d35efe03",
    "source_type": "prompt",
    "prompt_template": "22222222-c683-4f29-98e6-6da46aad53d7",
    "prompt_template_detail": {
        "id": "22222222-c683-4f29-98e6-6da46aad53d7",
        "name": "support",
        "description": None,
        "variable_names": ["question"],
    },
    "prompt_version_detail": {
        "id": "33333333-c683-4f29-98e6-6da46aad53d7",
        "template_version": "v2",
        "is_default": True,
        "commit_message": "tone",
    },
    "simulator_agent_detail": {
        "id": "44444444-c683-4f29-98e6-6da46aad53d7",
        "name": "Default",
        "interrupt_sensitivity": 0.5,
        "llm_temperature": 1,
        "max_call_duration_in_minutes": 10,
    },
    "last_run_at": None,
}

CALL_ROW: dict[str, Any] = {
    "id": "7ac2b13b-ad5f-4627-9e36-9e327a77223c",
    "session_id": None,
    "timestamp": "2026-03-20T02:07:41.220931Z",
    "call_type": "Outbound",
    "status": "completed",
    "duration": 88,
    "duration_seconds": 88,
    "start_time": "2026-03-20T02:05:12.000412Z",
    "transcript": [
        {
            "id": "2140f34f-76de-4389-a5e6-f328e9a0647c",
            "speaker_role": "assistant",
            "content": "Thanks for calling, how can I help?",
            "start_time_ms": 0,
            "start_time_seconds": 0.0,
            "end_time_ms": 2100,
            "end_time_seconds": 2.1,
            "confidence_score": 1.0,
            "created_at": "2026-03-20T02:06:59.118200Z",
        }
    ],
    "scenario": "Billing Inquiry",
    "overall_score": 8.0,
    "response_time": 1.234,
    "response_time_ms": 1234,
    "customer_name": "+14155550142",
    "eval_outputs": {
        "fa38521a-fd0f-419a-bc3a-2773311419ab": {
            "value": "Passed",
            "reason": "Agent resolved the dispute.",
            "type": "Pass/Fail",
            "name": "helpful_or_not",
            "error": False,
            "status": "Completed",
            "skipped": False,
        },
        "0d7e8c39-1b4e-4a0e-9a47-5a1a3a7d9c10": {},
    },
    "eval_metrics": {
        "fa38521a-fd0f-419a-bc3a-2773311419ab": {
            "id": "fa38521a-fd0f-419a-bc3a-2773311419ab",
            "name": "helpful_or_not",
            "value": "Passed",
            "reason": "Agent resolved the dispute.",
            "type": "Pass/Fail",
            "template_type": None,
            "visible": True,
            "error": False,
            "status": "completed",
            "skipped": False,
            "error_localizer": False,
        }
    },
    "ended_reason": "customer-ended-call",
    "avg_agent_latency": 910,
    "avg_agent_latency_ms": 910,
    "test_execution_id": "c2a9ccb1-bfbb-43f0-bb18-90a52f2caa1e",
    "scenario_id": "d8e76511-0189-4bc1-9e6e-f859e567f797",
    "rerun_snapshots": [
        {
            "id": "55555555-ad5f-4627-9e36-9e327a77223c",
            "snapshot_timestamp": "2026-03-19T02:07:41Z",
            "rerun_type": "call_and_eval",
            "status": "completed",
            "duration_seconds": 70,
            "eval_outputs": {
                "fa38521a-fd0f-419a-bc3a-2773311419ab": {
                    "output": None,
                    "reason": "boom",
                    "output_type": "Pass/Fail",
                    "name": "helpful_or_not",
                    "status": "Failed",
                    "error": "error",
                    "timestamp": "2026-03-19T02:08:00.5+00:00",
                }
            },
            "transcripts": [{"role": "bot", "message": "hi"}],
        }
    ],
    "is_snapshot": False,
    "rerun_type": None,
    "simulation_call_type": "voice",
    "provider": "vapi",
    "phone_number": "+14155550142",
}

CALL_LIST: dict[str, Any] = {
    "count": 3,
    "next": "http://api.futureagi.com/simulate/run-tests/648954b1/call-executions/?limit=2&page=2",
    "previous": None,
    "total_pages": 2,
    "current_page": 1,
    "results": [
        CALL_ROW,
        {
            "id": "66666666-ad5f-4627-9e36-9e327a77223c",
            "timestamp": "2026-03-19T02:07:41.220931Z",
            "call_type": "outboundPhoneCall",
            "status": "completed",
            "duration": 70,
            "transcript": [{"role": "bot", "message": "hi", "time": 1.5}],
            "scenario": "Billing Inquiry",
            "response_time": 1100,
            "eval_outputs": {
                "fa38521a-fd0f-419a-bc3a-2773311419ab": {
                    "output": None,
                    "reason": None,
                    "output_type": None,
                    "name": "helpful_or_not",
                    "status": "skipped",
                    "skipped": True,
                },
                "0d7e8c39-1b4e-4a0e-9a47-5a1a3a7d9c10": {"status": "pending"},
            },
            "eval_metrics": {},
            "error_localizer_tasks": [],
            "recordings": {
                "mono": {"combined_url": "https://x/a.wav", "customer_url": None},
                "stereo_url": "https://x/s.wav",
            },
            "is_snapshot": True,
            "rerun_type": "call_and_eval",
            "snapshot_timestamp": "2026-03-19T02:07:41.220931Z",
            "original_call_execution_id": "7ac2b13b-ad5f-4627-9e36-9e327a77223c",
        },
    ],
}

# The docs' call-listing row: scenario is {id, name}, created_at, no UUID keys on evals.
DOCS_CALL_ROW: dict[str, Any] = {
    "id": "77777777-ad5f-4627-9e36-9e327a77223c",
    "session_id": "sess-1",
    "status": "COMPLETED",
    "duration": 12.5,
    "start_time": "2026-03-20T02:05:12+00:00",
    "transcript": [],
    "scenario": {"id": "d8e76511-0189-4bc1-9e6e-f859e567f797", "name": "Billing Inquiry"},
    "overall_score": 85,
    "eval_outputs": None,
    "eval_metrics": None,
    "customer_name": "Dana",
    "avg_agent_latency": 1.2,
    "scenario_id": None,
    "is_snapshot": False,
    "created_at": "2026-03-20T02:05:12.000Z",
}

TEST_EXECUTION: dict[str, Any] = {
    "count": 30,
    "next": "http://api.futureagi.com/simulate/test-executions/c2a9ccb1/?limit=10&page=2",
    "previous": None,
    "results": [CALL_ROW],
    "total_pages": 3,
    "current_page": 1,
    "column_order": [
        {"column_name": "Timestamp", "id": "timestamp", "visible": True},
        {
            "column_name": "helpful_or_not",
            "id": "fa38521a-fd0f-419a-bc3a-2773311419ab",
            "eval_config": {"output": "Pass/Fail"},
            "visible": True,
            "type": "evaluation",
        },
    ],
    "error_messages": [],
    "status": "completed",
    "provider": "vapi",
    "agent_type": "voice",
}

DOCS_TEST_EXECUTION: dict[str, Any] = {
    "id": "c2a9ccb1-bfbb-43f0-bb18-90a52f2caa1e",
    "run_test": "648954b1-c683-4f29-98e6-6da46aad53d7",
    "run_test_name": "Billing bot nightly",
    "agent_definition_name": "Billing bot",
    "status": "completed",
    "error_reason": None,
    "started_at": "2026-03-20T02:00:11.004512Z",
    "completed_at": None,
    "total_scenarios": 2,
    "total_calls": 30,
    "completed_calls": 26,
    "failed_calls": 4,
    "execution_metadata": {},
    "duration_seconds": 1889,
    "success_rate": 86.67,
    "calls": [
        {
            "id": "88888888-ad5f-4627-9e36-9e327a77223c",
            "status": "completed",
            "duration": 88,
            "transcript": [],
            "overall_score": 8,
            "eval_outputs": {},
            "scenario": "Billing Inquiry",
            "created_at": "2026-03-20T02:05:12.000412Z",
        }
    ],
    "created_at": "2026-03-20T02:00:00Z",
    "scenario_ids": ["d8e76511-0189-4bc1-9e6e-f859e567f797"],
    "simulator_agent_name": None,
    "calls_attempted": 30,
    "calls_connected_percentage": 93.3,
}

GROUPED_TEST_EXECUTION: dict[str, Any] = {
    "count": 2,
    "next": None,
    "previous": "?page=1",
    "results": [
        {
            "created_at__date": "2026-03-05",
            "overall_score": 8.0,
            "count": 12,
            "avg_overall_score": 8.0,
            "avg_response_time": 1234.5,
            "total_tokens": None,
            "csat_score": None,
            "dataset_cell_persona": "Dana",
        },
        {"created_at__date": "2026-03-06", "overall_score": None, "count": 3},
    ],
    "total_pages": 1,
    "current_page": 1,
    "column_order": [],
    "error_messages": [],
}

SIM_CALL: dict[str, Any] = {
    "call_execution_id": "5af9e484-0000-4000-8000-000000000001",
    "execution_id": "2b19f6e6-0000-4000-8000-000000000002",
    "scenario_id": "cc3c8111-0000-4000-8000-000000000003",
    "scenario_name": "Billing Inquiry",
    "status": "completed",
    "started_at": "2026-03-23T20:01:04.450Z",
    "completed_at": "2026-03-23T20:02:32.123Z",
    "duration_seconds": 88,
    "ended_reason": "customer-ended-call",
    "call_summary": "Customer called about a billing discrepancy...",
    "eval_outputs": {
        "eval-config-1": {
            "name": "Coherence",
            "output": "Passed",
            "output_type": "Pass/Fail",
            "reason": "Agent maintained context throughout the conversation.",
        },
        "eval-config-2": {
            "name": "Resolution",
            "output": False,
            "output_type": "Pass/Fail",
            "reason": "Customer hung up without resolution.",
        },
    },
    "latency": {"avg_agent_latency_ms": 1234, "response_time_ms": None},
    "cost": {"total_cost_cents": 24, "stt_cost_cents": 0, "llm_cost_cents": 0, "tts_cost_cents": 0},
}

SIM_EXECUTION: dict[str, Any] = {
    "execution_id": "c2a9ccb1-bfbb-43f0-bb18-90a52f2caa1e",
    "status": "completed",
    "started_at": "2026-03-20T02:00:11.004512Z",
    "completed_at": "2026-03-20T02:31:40.771003Z",
    "total_calls": 30,
    "completed_calls": 26,
    "failed_calls": 4,
    "eval_results": [
        {
            "name": "is_helpful",
            "id": "d7067a25-821a-44f5-a199-a1b7e7a14948",
            "output_type": "Pass/Fail",
            "result": [
                {
                    "name": "helpful_or_not",
                    "id": "fa38521a-fd0f-419a-bc3a-2773311419ab",
                    "total_cells": 26,
                    "output": {"pass": 80.77, "fail": 19.23, "pass_count": 21, "fail_count": 5},
                }
            ],
            "total_pass_rate": 80.77,
        },
        {
            "name": "scored",
            "id": "e7067a25-821a-44f5-a199-a1b7e7a14948",
            "output_type": "score",
            "result": [
                {
                    "name": "score_cfg",
                    "id": "ea38521a-fd0f-419a-bc3a-2773311419ab",
                    "total_cells": 26,
                    "output": {"p5": 10.0, "p50": 70.0, "p100": 100.0},
                    "avg_score": 66.5,
                }
            ],
            "total_avg": 66.5,
        },
    ],
    "call_results": {
        "total_pages": 3,
        "current_page": 1,
        "count": 30,
        "results": [
            {
                "call_execution_id": "7ac2b13b-ad5f-4627-9e36-9e327a77223c",
                "scenario_id": "d8e76511-0189-4bc1-9e6e-f859e567f797",
                "scenario_name": "Billing Inquiry",
                "status": "completed",
                "duration_seconds": 88,
                "eval_outputs": {
                    "fa38521a-fd0f-419a-bc3a-2773311419ab": {
                        "output": "Passed",
                        "reason": "Agent resolved the dispute.",
                        "output_type": "Pass/Fail",
                        "name": "helpful_or_not",
                        "status": "Completed",
                    }
                },
            }
        ],
    },
    "eval_explanation_summary": {
        "helpful_or_not": [
            {
                "theme": "Premature call endings",
                "status": "accepted",
                "kind": "failure",
                "issues": ["Agent hangs up before confirming"],
                "triggers": [],
                "capabilities": [],
                "application_contexts": [],
                "evidence_summary": "4 calls end without confirmation.",
                "guidance": "Confirm resolution first.",
                "confidence": "medium",
                "cluster_id": 0,
                "size": 4,
                "member_ids": ["05116ff7-b030-41c7-aa4c-20f32bb62400"],
                "representative_ids": ["05116ff7-b030-41c7-aa4c-20f32bb62400"],
                "eval_name": "is_helpful",
                "eval_config_id": "fa38521a-fd0f-419a-bc3a-2773311419ab",
                "eval_template_id": "d7067a25-821a-44f5-a199-a1b7e7a14948",
            }
        ]
    },
    "eval_explanation_summary_status": "completed",
}

DOCS_SUMMARY: dict[str, Any] = {
    "is_helpful": [
        {
            "cluster_name": "Pricing contradictions",
            "call_execution_ids": ["uuid1", "uuid2"],
            "description": "Agent gives different prices for the same product.",
        }
    ]
}

SIM_RUNS: dict[str, Any] = {
    "total_pages": 12,
    "current_page": 1,
    "count": 12,
    "results": [
        {
            "execution_id": "75f6a314-0000-4000-8000-000000000004",
            "status": "completed",
            "started_at": "2026-03-05T10:12:32.790Z",
            "completed_at": "2026-03-05T10:45:00.000Z",
            "total_calls": 30,
            "completed_calls": 28,
            "failed_calls": 2,
            "eval_results": [],
        }
    ],
}
