-- CreateTable
CREATE TABLE "BotEvent" (
    "seq" SERIAL NOT NULL,
    "accountId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "payloadJson" TEXT NOT NULL,
    "callId" TEXT,
    "sessionId" TEXT,
    "requestId" TEXT,
    "dedupeKey" TEXT,
    "deliveredAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BotEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "BotConnection" (
    "accountId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BotConnection_pkey" PRIMARY KEY ("accountId")
);

-- CreateIndex
CREATE UNIQUE INDEX "BotEvent_requestId_key" ON "BotEvent"("requestId");

-- CreateIndex
CREATE UNIQUE INDEX "BotEvent_dedupeKey_key" ON "BotEvent"("dedupeKey");

-- CreateIndex
CREATE INDEX "BotEvent_accountId_deliveredAt_seq_idx" ON "BotEvent"("accountId", "deliveredAt", "seq");

-- CreateIndex
CREATE INDEX "BotEvent_callId_idx" ON "BotEvent"("callId");
