import Foundation

/// The store's schema on PostgreSQL: the same named, append-only steps as SQLite's `StoreMigrations`, each written
/// in PostgreSQL's dialect. Never edit a shipped step: add one, here and in `StoreMigrations`, under the same name.
///
/// Column names are written in camelCase without quotes, so PostgreSQL folds them to lower case and the store's
/// statements (also unquoted) find them; `column` and `window` are reserved words and quoted.
enum PostgresMigrations {
    /// The steps, in order.
    static let steps: [(name: String, sql: String)] = [
        (
            "v1-runs",
            """
            CREATE TABLE run (
              id BIGSERIAL PRIMARY KEY, pipeline TEXT NOT NULL, file TEXT NOT NULL, graphHash TEXT NOT NULL,
              graphJSON TEXT NOT NULL, event TEXT NOT NULL, gitCommit TEXT, gitBranch TEXT, gitAuthorTime TIMESTAMPTZ,
              status TEXT NOT NULL, queuedAt TIMESTAMPTZ NOT NULL, startedAt TIMESTAMPTZ, finishedAt TIMESTAMPTZ,
              pid BIGINT NOT NULL, host TEXT NOT NULL, heartbeatAt TIMESTAMPTZ NOT NULL,
              resumedFrom BIGINT REFERENCES run (id));
            CREATE INDEX run_on_pipeline ON run (pipeline);
            CREATE INDEX run_on_status ON run (status);
            CREATE TABLE node (
              runId BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE, nodeId TEXT NOT NULL, status TEXT NOT NULL,
              reason TEXT, attempts BIGINT NOT NULL DEFAULT 0, startedAt TIMESTAMPTZ, finishedAt TIMESTAMPTZ,
              fingerprint TEXT, allowedFailure BOOLEAN NOT NULL DEFAULT FALSE, PRIMARY KEY (runId, nodeId));
            CREATE TABLE attempt (
              id BIGSERIAL PRIMARY KEY, runId BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
              nodeId TEXT NOT NULL, number BIGINT NOT NULL, status TEXT NOT NULL, exitCode BIGINT, signal BIGINT,
              startedAt TIMESTAMPTZ NOT NULL, finishedAt TIMESTAMPTZ NOT NULL, durationMs BIGINT NOT NULL,
              retryReason TEXT, error TEXT, UNIQUE (runId, nodeId, number));
            CREATE TABLE logChunk (
              id BIGSERIAL PRIMARY KEY, runId BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
              nodeId TEXT NOT NULL, attempt BIGINT NOT NULL, stream TEXT NOT NULL, text TEXT NOT NULL);
            CREATE INDEX logChunkByNode ON logChunk (runId, nodeId, id);
            CREATE TABLE output (
              runId BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE, nodeId TEXT NOT NULL, name TEXT NOT NULL,
              value TEXT NOT NULL, PRIMARY KEY (runId, nodeId, name));
            """
        ),
        (
            "v1-breakers",
            """
            CREATE TABLE breaker (
              name TEXT PRIMARY KEY, state TEXT NOT NULL, mode TEXT NOT NULL, openedAt TIMESTAMPTZ,
              halfOpenStarted BIGINT NOT NULL, halfOpenSucceeded BIGINT NOT NULL, "window" TEXT NOT NULL,
              updatedAt TIMESTAMPTZ NOT NULL);
            CREATE TABLE breakerTransition (
              id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, fromState TEXT NOT NULL, toState TEXT NOT NULL,
              reason TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, runId BIGINT);
            CREATE INDEX breakerTransition_on_name ON breakerTransition (name);
            """
        ),
        (
            "v2-findings",
            """
            CREATE TABLE finding (
              id BIGSERIAL PRIMARY KEY, runId BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
              nodeId TEXT NOT NULL, attempt BIGINT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
              file TEXT NOT NULL, line BIGINT NOT NULL, "column" BIGINT NOT NULL, endLine BIGINT NOT NULL,
              endColumn BIGINT NOT NULL, message TEXT NOT NULL);
            CREATE INDEX findingByRun ON finding (runId, nodeId);
            """
        ),
        ("v3-finding-fix", "ALTER TABLE finding ADD COLUMN fix TEXT;"),
        (
            "v4-server-queue",
            """
            ALTER TABLE run ADD COLUMN repository TEXT, ADD COLUMN ref TEXT, ADD COLUMN workerId TEXT,
              ADD COLUMN leaseExpiresAt TIMESTAMPTZ, ADD COLUMN claims BIGINT NOT NULL DEFAULT 0,
              ADD COLUMN concurrencyGroup TEXT, ADD COLUMN cancelInProgress BOOLEAN NOT NULL DEFAULT FALSE,
              ADD COLUMN statusReason TEXT, ADD COLUMN diagnostics TEXT,
              ADD COLUMN withoutSecrets BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN cancelRequested TEXT;
            CREATE INDEX runByGroup ON run (concurrencyGroup, status);
            CREATE TABLE delivery (
              id BIGSERIAL PRIMARY KEY, forge TEXT NOT NULL, deliveryKey TEXT NOT NULL, eventName TEXT NOT NULL,
              repository TEXT NOT NULL, receivedAt TIMESTAMPTZ NOT NULL, outcome TEXT NOT NULL, reason TEXT,
              runId BIGINT REFERENCES run (id) ON DELETE SET NULL, payload TEXT NOT NULL,
              UNIQUE (forge, deliveryKey));
            CREATE TABLE deliveryRun (
              deliveryId BIGINT NOT NULL REFERENCES delivery (id) ON DELETE CASCADE, runId BIGINT NOT NULL,
              PRIMARY KEY (deliveryId, runId));
            """
        ),
        (
            "v5-schedules",
            """
            CREATE TABLE scheduleFire (
              repository TEXT NOT NULL, cron TEXT NOT NULL, lastSlot TIMESTAMPTZ NOT NULL, runId BIGINT,
              PRIMARY KEY (repository, cron));
            """
        ),
        (
            "v6-exported-variables",
            """
            CREATE TABLE exportedVariable (
              runId BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE, nodeId TEXT NOT NULL, name TEXT NOT NULL,
              value TEXT NOT NULL, PRIMARY KEY (runId, nodeId, name));
            """
        ),
        ("v7-node-summary", "ALTER TABLE node ADD COLUMN summary TEXT;"),
        (
            "v8-api-tokens-audit",
            """
            CREATE TABLE apiToken (
              id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
              createdAt TIMESTAMPTZ NOT NULL, expiresAt TIMESTAMPTZ, lastUsedAt TIMESTAMPTZ, revokedAt TIMESTAMPTZ);
            CREATE TABLE audit (
              id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
              target TEXT NOT NULL, address TEXT NOT NULL, details TEXT);
            CREATE INDEX audit_on_at ON audit (at);
            CREATE TABLE serverSecret (name TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE INDEX runByRepository ON run (repository, id);
            CREATE INDEX runByBranch ON run (gitBranch, id);
            CREATE INDEX runByStatusAndID ON run (status, id);
            """
        ),
        (
            "v9-state-changes",
            // Sequence order is commit order only if writers of the feed commit in the order they took their ids:
            // each trigger first takes a transaction-scoped advisory lock, so the feed's writers are serialised
            // from their first state change to their commit, and a reader paging by id never skips a late commit.
            """
            CREATE TABLE stateChange (
              id BIGSERIAL PRIMARY KEY, runId BIGINT NOT NULL, nodeId TEXT, status TEXT NOT NULL,
              at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
            CREATE FUNCTION devflow_record_state_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM pg_advisory_xact_lock(7305142846180013);
              IF TG_TABLE_NAME = 'run' THEN
                INSERT INTO stateChange (runId, status) VALUES (NEW.id, NEW.status);
              ELSE
                INSERT INTO stateChange (runId, nodeId, status) VALUES (NEW.runId, NEW.nodeId, NEW.status);
              END IF;
              RETURN NULL;
            END $$;
            CREATE TRIGGER runStateInserted AFTER INSERT ON run
              FOR EACH ROW EXECUTE FUNCTION devflow_record_state_change();
            CREATE TRIGGER runStateChanged AFTER UPDATE OF status ON run
              FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION devflow_record_state_change();
            CREATE TRIGGER nodeStateInserted AFTER INSERT ON node
              FOR EACH ROW WHEN (NEW.status <> 'pending') EXECUTE FUNCTION devflow_record_state_change();
            CREATE TRIGGER nodeStateChanged AFTER UPDATE OF status ON node
              FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION devflow_record_state_change();
            """
        ),
        (
            "v10-pause-rerun",
            """
            ALTER TABLE run ADD COLUMN pausedAt TIMESTAMPTZ, ADD COLUMN rerunOf BIGINT, ADD COLUMN rerunFrom TEXT;
            CREATE TABLE repositoryPause (
              repository TEXT PRIMARY KEY, pausedAt TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL, reason TEXT);
            """
        ),
        ("v11-log-chunk-time", "ALTER TABLE logChunk ADD COLUMN at TIMESTAMPTZ;"),
        (
            "v12-analytics-indexes",
            """
            CREATE INDEX runByQueuedAt ON run (queuedAt, id, pipeline, repository, graphHash, gitCommit, gitBranch,
              gitAuthorTime, status, startedAt, finishedAt);
            CREATE INDEX runByGraphHash ON run (graphHash, id);
            """
        ),
        (
            "v13-queued-index",
            // The claim's index, and statistics kept fresh on a table whose rows change state several times each
            // (with stale ones the planner sorts every queued run for each claim).
            """
            CREATE INDEX runQueued ON run (id) WHERE status = 'queued';
            ALTER TABLE run SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);
            """
        ),
        (
            "v14-workers",
            """
            CREATE TABLE worker (
              id TEXT PRIMARY KEY, host TEXT NOT NULL, pid BIGINT NOT NULL, kind TEXT NOT NULL, labels TEXT NOT NULL,
              slots BIGINT NOT NULL, version TEXT NOT NULL, startedAt TIMESTAMPTZ NOT NULL,
              heartbeatAt TIMESTAMPTZ NOT NULL, stoppedAt TIMESTAMPTZ);
            ALTER TABLE run ADD COLUMN labels TEXT;
            CREATE FUNCTION devflow_claim(
              p_worker TEXT, p_lease FLOAT8, p_started TIMESTAMPTZ, p_pid BIGINT, p_host TEXT, p_labels TEXT)
            RETURNS SETOF run LANGUAGE plpgsql AS $$
            BEGIN
              RETURN QUERY
              UPDATE run SET status = 'running', workerId = p_worker,
                leaseExpiresAt = now() + make_interval(secs => p_lease), claims = claims + 1,
                startedAt = COALESCE(startedAt, p_started), heartbeatAt = now(), pid = p_pid, host = p_host
              WHERE id = (
                SELECT candidate.id FROM run AS candidate
                WHERE candidate.status = 'queued' AND candidate.workerId IS NULL AND candidate.pausedAt IS NULL
                  AND (candidate.repository IS NULL
                    OR candidate.repository NOT IN (SELECT repository FROM repositoryPause))
                  AND (candidate.concurrencyGroup IS NULL OR NOT EXISTS (SELECT 1 FROM run AS other
                    WHERE other.concurrencyGroup = candidate.concurrencyGroup AND other.status = 'running'))
                  AND (candidate.labels IS NULL OR candidate.labels::jsonb <@ p_labels::jsonb)
                ORDER BY candidate.id LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING run.*;
            END $$;
            """
        ),
        (
            "v15-batched-claims",
            """
            CREATE FUNCTION devflow_claim_batch(
              p_workers TEXT, p_lease FLOAT8, p_started TIMESTAMPTZ, p_pid BIGINT, p_host TEXT, p_labels TEXT)
            RETURNS SETOF run LANGUAGE plpgsql AS $$
            DECLARE
              v_worker TEXT;
              v_claimed run;
            BEGIN
              -- One devflow_claim per worker, in order: each sees the runs the previous ones claimed, so a batch
              -- never takes two runs of one concurrency group.
              FOR v_worker IN SELECT w.value FROM jsonb_array_elements_text(p_workers::jsonb)
                  WITH ORDINALITY AS w(value, position) ORDER BY w.position LOOP
                SELECT * INTO v_claimed FROM devflow_claim(v_worker, p_lease, p_started, p_pid, p_host, p_labels);
                EXIT WHEN NOT FOUND;
                RETURN NEXT v_claimed;
              END LOOP;
            END $$;
            """
        ),
    ]

    /// The advisory lock that serialises migrations across servers and workers starting at once.
    static let lockKey: Int64 = 7_305_142_846_180_012

    /// Applies the steps not yet recorded, each in its own transaction, under a session advisory lock: of two
    /// processes migrating at once, one applies each step and the other waits, then finds it applied.
    static func migrate(_ pool: PostgresPool) throws {
        try pool.withConnection { session in
            try session.execute("SELECT pg_advisory_lock(?)", [lockKey])
            defer { _ = try? session.execute("SELECT pg_advisory_unlock(?)", [lockKey]) }
            try session.execute(
                """
                CREATE TABLE IF NOT EXISTS schemaMigration (identifier TEXT PRIMARY KEY,
                  appliedAt TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try session.column(String.self, "SELECT identifier FROM schemaMigration"))
            let known = Set(steps.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreLocationError(
                    "the PostgreSQL store was migrated by a newer DevFlow (step \(unknown)); upgrade this devflow")
            }
            for step in steps where !applied.contains(step.name) {
                try session.execute("BEGIN")
                do {
                    try session.script(step.sql)
                    try session.execute("INSERT INTO schemaMigration (identifier) VALUES (?)", [step.name])
                    try session.execute("COMMIT")
                } catch {
                    _ = try? session.execute("ROLLBACK")
                    throw error
                }
            }
        }
    }
}
