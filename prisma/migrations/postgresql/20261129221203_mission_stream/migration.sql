-- CreateTable
CREATE TABLE "MissionEvent" (
    "seq" SERIAL NOT NULL,
    "accountId" TEXT NOT NULL,
    "missionId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "dataJson" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MissionEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "MissionEvent_accountId_seq_idx" ON "MissionEvent"("accountId", "seq");
