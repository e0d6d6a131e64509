-- CreateTable
CREATE TABLE "BotEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accountId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "callId" TEXT,
    "sessionId" TEXT,
    "requestId" TEXT,
    "dedupeKey" TEXT,
    "deliveredAt" DATETIME,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "BotConnection" (
    "accountId" TEXT NOT NULL PRIMARY KEY,
    "connectionId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "seenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "BotEvent_requestId_key" ON "BotEvent"("requestId");

-- CreateIndex
CREATE UNIQUE INDEX "BotEvent_dedupeKey_key" ON "BotEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "BotEvent_accountId_deliveredAt_seq_idx" ON "BotEvent"("accountId", "deliveredAt", "seq");

-- CreateIndex
CREATE INDEX "BotEvent_callId_idx" ON "BotEvent"("callId");
