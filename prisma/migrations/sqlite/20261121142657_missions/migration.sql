-- CreateTable
CREATE TABLE "Mission" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "instructions" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "mode" TEXT NOT NULL DEFAULT 'compat',
    "latestRunId" TEXT,
    "requestHash" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "MissionRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "missionId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "inputJson" TEXT NOT NULL DEFAULT '{}',
    "resultSummary" TEXT,
    "resultPayloadJson" TEXT,
    "memoryJson" TEXT NOT NULL DEFAULT '{}',
    "memoryVersion" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PlanStep" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "stepId" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "sequence" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "agentId" TEXT,
    "stepId" TEXT,
    "payloadJson" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RunAgent" (
    "runId" TEXT NOT NULL,
    "assistantId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("runId", "assistantId")
);

-- CreateTable
CREATE TABLE "Assistant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "instructions" TEXT NOT NULL,
    "description" TEXT,
    "model" TEXT NOT NULL,
    "greeting" TEXT NOT NULL DEFAULT '',
    "voice" TEXT NOT NULL,
    "toolsJson" TEXT NOT NULL,
    "featuresJson" TEXT NOT NULL,
    "insightsJson" TEXT,
    "requestHash" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PhoneLine" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "number" TEXT NOT NULL,
    "driver" TEXT NOT NULL,
    "serial" TEXT NOT NULL DEFAULT '',
    "accountId" TEXT NOT NULL DEFAULT 'default',
    "connectionId" TEXT,
    "connectionType" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "LineLease" (
    "number" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ScheduledEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "assistantId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "scheduledAt" DATETIME NOT NULL,
    "textBody" TEXT,
    "missionId" TEXT,
    "runId" TEXT,
    "stepId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "callStatus" TEXT,
    "conversationId" TEXT,
    "retryCount" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "outcome" TEXT,
    "dedupeKey" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CallRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "eventId" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'initiating',
    "outcome" TEXT,
    "reason" TEXT,
    "sessionId" TEXT,
    "greeting" TEXT,
    "purpose" TEXT,
    "instructions" TEXT,
    "dialedAt" DATETIME,
    "answeredAt" DATETIME,
    "endedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Insight" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "callId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "result" TEXT NOT NULL DEFAULT '',
    "structuredJson" TEXT,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "eventId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "accountId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "details" TEXT,
    "requireBiometric" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "note" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "bodyHash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "statusCode" INTEGER,
    "responseJson" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Mission_accountId_slug_idx" ON "Mission"("accountId", "slug");

-- CreateIndex
CREATE INDEX "Mission_accountId_requestHash_idx" ON "Mission"("accountId", "requestHash");

-- CreateIndex
CREATE INDEX "MissionRun_missionId_createdAt_idx" ON "MissionRun"("missionId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PlanStep_runId_stepId_key" ON "PlanStep"("runId", "stepId");

-- CreateIndex
CREATE UNIQUE INDEX "RunEvent_runId_seq_key" ON "RunEvent"("runId", "seq");

-- CreateIndex
CREATE INDEX "Assistant_accountId_requestHash_idx" ON "Assistant"("accountId", "requestHash");

-- CreateIndex
CREATE UNIQUE INDEX "PhoneLine_number_key" ON "PhoneLine"("number");

-- CreateIndex
CREATE INDEX "ScheduledEvent_assistantId_createdAt_idx" ON "ScheduledEvent"("assistantId", "createdAt");

-- CreateIndex
CREATE INDEX "ScheduledEvent_dedupeKey_idx" ON "ScheduledEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "CallRecord_eventId_idx" ON "CallRecord"("eventId");

-- CreateIndex
CREATE INDEX "CallRecord_sessionId_idx" ON "CallRecord"("sessionId");

-- CreateIndex
CREATE INDEX "CallRecord_to_status_idx" ON "CallRecord"("to", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Insight_callId_name_key" ON "Insight"("callId", "name");

-- CreateIndex
CREATE INDEX "Message_accountId_createdAt_idx" ON "Message"("accountId", "createdAt");

-- CreateIndex
CREATE INDEX "Approval_accountId_status_idx" ON "Approval"("accountId", "status");
