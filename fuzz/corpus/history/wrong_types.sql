INSERT INTO runs (id, machine, commit_sha, date, branch, host_name, cpu) VALUES (1, 'ci-1', 'aaa111', '2026-11-02T08:00:00Z', 'main', 7, 'Xeon');
INSERT INTO results (id, run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) VALUES (1, 1, 'simd/x/threads:1', 'simd', 'x', 'many', 'fast', x'00', 7);
INSERT INTO samples (result_id, repetition, time_ns) VALUES (1, 0, 'NaN');
UPDATE schema_version SET version = 3;
