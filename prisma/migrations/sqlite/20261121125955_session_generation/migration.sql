-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_CallSession" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workflowId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "source" TEXT NOT NULL DEFAULT 'api',
    "callerNumber" TEXT NOT NULL DEFAULT '',
    "callDirection" TEXT NOT NULL DEFAULT '',
    "phoneId" TEXT NOT NULL DEFAULT '',
    "endReason" TEXT,
    "turnCount" INTEGER NOT NULL DEFAULT 0,
    "generation" INTEGER NOT NULL DEFAULT 0,
    "lastActiveAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_CallSession" ("callDirection", "callerNumber", "createdAt", "endReason", "endedAt", "id", "lastActiveAt", "phoneId", "source", "status", "turnCount", "updatedAt", "workflowId") SELECT "callDirection", "callerNumber", "createdAt", "endReason", "endedAt", "id", "lastActiveAt", "phoneId", "source", "status", "turnCount", "updatedAt", "workflowId" FROM "CallSession";
DROP TABLE "CallSession";
ALTER TABLE "new_CallSession" RENAME TO "CallSession";
CREATE UNIQUE INDEX "CallSession_workflowId_key" ON "CallSession"("workflowId");
CREATE INDEX "CallSession_status_lastActiveAt_idx" ON "CallSession"("status", "lastActiveAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
