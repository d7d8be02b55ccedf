import GRDB

/// Named, append-only migrations. Never edit a shipped migration: add a new one.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-runs") { db in
            try db.create(table: "run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("pipeline", .text).notNull().indexed()
                table.column("file", .text).notNull()
                table.column("graphHash", .text).notNull()
                table.column("graphJSON", .text).notNull()
                table.column("event", .text).notNull()
                table.column("gitCommit", .text)
                table.column("gitBranch", .text)
                table.column("gitAuthorTime", .datetime)
                table.column("status", .text).notNull().indexed()
                table.column("queuedAt", .datetime).notNull()
                table.column("startedAt", .datetime)
                table.column("finishedAt", .datetime)
                table.column("pid", .integer).notNull()
                table.column("host", .text).notNull()
                table.column("heartbeatAt", .datetime).notNull()
                table.column("resumedFrom", .integer).references("run")
            }
            try db.create(table: "node") { table in
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("nodeId", .text).notNull()
                table.column("status", .text).notNull()
                table.column("reason", .text)
                table.column("attempts", .integer).notNull().defaults(to: 0)
                table.column("startedAt", .datetime)
                table.column("finishedAt", .datetime)
                table.column("fingerprint", .text)
                table.column("allowedFailure", .boolean).notNull().defaults(to: false)
                table.primaryKey(["runId", "nodeId"])
            }
            try db.create(table: "attempt") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("nodeId", .text).notNull()
                table.column("number", .integer).notNull()
                table.column("status", .text).notNull()
                table.column("exitCode", .integer)
                table.column("signal", .integer)
                table.column("startedAt", .datetime).notNull()
                table.column("finishedAt", .datetime).notNull()
                table.column("durationMs", .integer).notNull()
                table.column("retryReason", .text)
                table.column("error", .text)
                table.uniqueKey(["runId", "nodeId", "number"])
            }
            try db.create(table: "logChunk") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("nodeId", .text).notNull()
                table.column("attempt", .integer).notNull()
                table.column("stream", .text).notNull()
                table.column("text", .text).notNull()
            }
            try db.create(index: "logChunkByNode", on: "logChunk", columns: ["runId", "nodeId", "id"])
            try db.create(table: "output") { table in
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("nodeId", .text).notNull()
                table.column("name", .text).notNull()
                table.column("value", .text).notNull()
                table.primaryKey(["runId", "nodeId", "name"])
            }
        }
        migrator.registerMigration("v1-breakers") { db in
            try db.create(table: "breaker") { table in
                table.primaryKey("name", .text)
                table.column("state", .text).notNull()
                table.column("mode", .text).notNull()
                table.column("openedAt", .datetime)
                table.column("halfOpenStarted", .integer).notNull()
                table.column("halfOpenSucceeded", .integer).notNull()
                table.column("window", .text).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "breakerTransition") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull().indexed()
                table.column("fromState", .text).notNull()
                table.column("toState", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("at", .datetime).notNull()
                table.column("runId", .integer)
            }
        }
        migrator.registerMigration("v2-findings") { db in
            try db.create(table: "finding") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("nodeId", .text).notNull()
                table.column("attempt", .integer).notNull()
                table.column("rule", .text).notNull()
                table.column("severity", .text).notNull()
                table.column("file", .text).notNull()
                table.column("line", .integer).notNull()
                table.column("column", .integer).notNull()
                table.column("endLine", .integer).notNull()
                table.column("endColumn", .integer).notNull()
                table.column("message", .text).notNull()
            }
            try db.create(index: "findingByRun", on: "finding", columns: ["runId", "nodeId"])
        }
        migrator.registerMigration("v3-finding-fix") { db in
            try db.alter(table: "finding") { table in table.add(column: "fix", .text) }
        }
        migrator.registerMigration("v4-server-queue") { db in
            try db.alter(table: "run") { table in
                table.add(column: "repository", .text)
                table.add(column: "ref", .text)
                table.add(column: "workerId", .text)
                table.add(column: "leaseExpiresAt", .datetime)
                table.add(column: "claims", .integer).notNull().defaults(to: 0)
                table.add(column: "concurrencyGroup", .text)
                table.add(column: "cancelInProgress", .boolean).notNull().defaults(to: false)
                table.add(column: "statusReason", .text)
                table.add(column: "diagnostics", .text)
                table.add(column: "withoutSecrets", .boolean).notNull().defaults(to: false)
                table.add(column: "cancelRequested", .text)
            }
            try db.create(index: "runByGroup", on: "run", columns: ["concurrencyGroup", "status"])
            try db.create(table: "delivery") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("forge", .text).notNull()
                table.column("deliveryKey", .text).notNull()
                table.column("eventName", .text).notNull()
                table.column("repository", .text).notNull()
                table.column("receivedAt", .datetime).notNull()
                table.column("outcome", .text).notNull()
                table.column("reason", .text)
                table.column("runId", .integer).references("run", onDelete: .setNull)
                table.column("payload", .text).notNull()
                table.uniqueKey(["forge", "deliveryKey"])
            }
            try db.create(table: "deliveryRun") { table in
                table.column("deliveryId", .integer).notNull().references("delivery", onDelete: .cascade)
                table.column("runId", .integer).notNull()
                table.primaryKey(["deliveryId", "runId"])
            }
        }
        migrator.registerMigration("v5-schedules") { db in
            try db.create(table: "scheduleFire") { table in
                table.column("repository", .text).notNull()
                table.column("cron", .text).notNull()
                table.column("lastSlot", .datetime).notNull()
                table.column("runId", .integer)
                table.primaryKey(["repository", "cron"])
            }
        }
        migrator.registerMigration("v6-exported-variables") { db in
            // `$DEVFLOW_ENV`: the variables a node sets for the nodes that need it, kept so that a resumed or an
            // up-to-date node gives its dependents the same environment as when it ran.
            try db.create(table: "exportedVariable") { table in
                table.column("runId", .integer).notNull().references("run", onDelete: .cascade)
                table.column("nodeId", .text).notNull()
                table.column("name", .text).notNull()
                table.column("value", .text).notNull()
                table.primaryKey(["runId", "nodeId", "name"])
            }
        }
        migrator.registerMigration("v7-node-summary") { db in
            // `$DEVFLOW_SUMMARY`: the Markdown a node's last attempt wrote, shown by `devflow runs show`.
            try db.alter(table: "node") { table in table.add(column: "summary", .text) }
        }
        migrator.registerMigration("v8-api-tokens-audit") { db in
            // The API: tokens (only their SHA-256), the audit log of changes made through it or the CLI, and the
            // indexes its run filters use.
            try db.create(table: "apiToken") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("name", .text).notNull().unique()
                table.column("role", .text).notNull()
                table.column("hash", .text).notNull().unique()
                table.column("createdAt", .datetime).notNull()
                table.column("expiresAt", .datetime)
                table.column("lastUsedAt", .datetime)
                table.column("revokedAt", .datetime)
            }
            try db.create(table: "audit") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("at", .datetime).notNull().indexed()
                table.column("actor", .text).notNull()
                table.column("action", .text).notNull()
                table.column("target", .text).notNull()
                table.column("address", .text).notNull()
                table.column("details", .text)
            }
            try db.create(table: "serverSecret") { table in
                table.primaryKey("name", .text)
                table.column("value", .text).notNull()
            }
            try db.create(index: "runByRepository", on: "run", columns: ["repository", "id"])
            try db.create(index: "runByBranch", on: "run", columns: ["gitBranch", "id"])
            try db.create(index: "runByStatusAndID", on: "run", columns: ["status", "id"])
        }
        migrator.registerMigration("v9-state-changes") { db in
            // A change feed for `GET /api/v1/events`: triggers record every run state and every node's final state
            // as it is written, whoever writes it (a worker here or on another host), in commit order.
            try db.create(table: "stateChange") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("runId", .integer).notNull()
                table.column("nodeId", .text)
                table.column("status", .text).notNull()
                table.column("at", .datetime).notNull().defaults(sql: "(strftime('%Y-%m-%d %H:%M:%f', 'now'))")
            }
            try db.execute(
                sql: """
                    CREATE TRIGGER runStateInserted AFTER INSERT ON run BEGIN
                        INSERT INTO stateChange (runId, status) VALUES (new.id, new.status);
                    END;
                    CREATE TRIGGER runStateChanged AFTER UPDATE OF status ON run WHEN old.status IS NOT new.status BEGIN
                        INSERT INTO stateChange (runId, status) VALUES (new.id, new.status);
                    END;
                    CREATE TRIGGER nodeStateInserted AFTER INSERT ON node WHEN new.status <> 'pending' BEGIN
                        INSERT INTO stateChange (runId, nodeId, status) VALUES (new.runId, new.nodeId, new.status);
                    END;
                    CREATE TRIGGER nodeStateChanged AFTER UPDATE OF status ON node WHEN old.status IS NOT new.status BEGIN
                        INSERT INTO stateChange (runId, nodeId, status) VALUES (new.runId, new.nodeId, new.status);
                    END;
                    """)
        }
        migrator.registerMigration("v10-pause-rerun") { db in
            try db.alter(table: "run") { table in
                table.add(column: "pausedAt", .datetime)
                table.add(column: "rerunOf", .integer)
                table.add(column: "rerunFrom", .text)
            }
            // A paused repository's deliveries are still verified and recorded; its queued runs wait unclaimed.
            try db.create(table: "repositoryPause") { table in
                table.primaryKey("repository", .text)
                table.column("pausedAt", .datetime).notNull()
                table.column("actor", .text).notNull()
                table.column("reason", .text)
            }
        }
        migrator.registerMigration("v11-log-chunk-time") { db in
            // When each chunk was written, for the log viewer's timestamps (chunks written before have none).
            try db.alter(table: "logChunk") { table in table.add(column: "at", .datetime) }
        }
        migrator.registerMigration("v12-analytics-indexes") { db in
            // Analytics read a window of runs by queue time: this index holds every column they read, so the wide
            // rows (graph JSON, event) are never touched; and a graph is looked up by its hash.
            try db.execute(
                sql: "CREATE INDEX runByQueuedAt ON run (queuedAt, id, pipeline, repository, graphHash, gitCommit, "
                    + "gitBranch, gitAuthorTime, status, startedAt, finishedAt)")
            try db.execute(sql: "CREATE INDEX runByGraphHash ON run (graphHash, id)")
        }
        migrator.registerMigration("v13-queued-index") { db in
            // The claim takes the oldest queued run: a partial index of queued ids keeps that one index step, however
            // many finished runs the table holds.
            try db.execute(sql: "CREATE INDEX runQueued ON run (id) WHERE status = 'queued'")
        }
        migrator.registerMigration("v14-workers") { db in
            // The processes that claim runs, and the worker labels a run needs (`runs_on:`, a JSON array).
            try db.execute(
                sql: """
                    CREATE TABLE worker (
                      id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, kind TEXT NOT NULL,
                      labels TEXT NOT NULL, slots INTEGER NOT NULL, version TEXT NOT NULL,
                      startedAt DATETIME NOT NULL, heartbeatAt DATETIME NOT NULL, stoppedAt DATETIME);
                    ALTER TABLE run ADD COLUMN labels TEXT;
                    """)
        }
        return migrator
    }
}
