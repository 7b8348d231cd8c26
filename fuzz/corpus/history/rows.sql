INSERT INTO runs (id, machine, commit_sha, date, branch, host_name, cpu, num_cpus, threads, git_revision) VALUES (1, 'ci-1', 'aaa111', '2026-11-02T08:00:00Z', 'main', 'ci-1', 'Xeon', 2, 2, 'abc');
INSERT INTO runs (id, machine, commit_sha, date, branch, host_name, cpu) VALUES (2, 'ci-1', 'bbb222', '2026-11-03T08:00:00Z', 'main', 'ci-1', 'Xeon');
INSERT INTO runs (id, machine, commit_sha, date, branch, host_name, cpu) VALUES (3, 'arm-1', 'bbb222', '2026-11-03T09:00:00Z', 'main', 'runner-7', 'Neoverse');
INSERT INTO results (id, run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) VALUES (1, 1, 'simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1', 'simd', 'max:fwd:f32:nchw:1x1x8x8:k2x2', 1, 120.5, 3.2, 0);
INSERT INTO results (id, run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) VALUES (2, 2, 'simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1', 'simd', 'max:fwd:f32:nchw:1x1x8x8:k2x2', 1, 130.5, 3.0, 0);
INSERT INTO results (id, run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) VALUES (3, 2, 'lookup_table/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1', 'lookup_table', 'max:fwd:f32:nchw:1x1x8x8:k2x2', 1, NULL, NULL, 1);
INSERT INTO results (id, run_id, name, strategy, descriptor, threads, time_ns, gbps, wrong) VALUES (4, 3, 'simd/max:fwd:f32:nchw:1x1x8x8:k2x2/threads:1', 'simd', 'max:fwd:f32:nchw:1x1x8x8:k2x2', 1, 250.0, 1.5, 0);
INSERT INTO samples (result_id, repetition, time_ns) VALUES (1, 0, 120.0), (1, 1, 121.0), (2, 0, 130.0);
