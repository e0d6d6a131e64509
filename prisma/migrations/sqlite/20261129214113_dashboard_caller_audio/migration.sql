-- AlterTable
ALTER TABLE "Turn" ADD COLUMN "callerAudioBlobId" TEXT;
