// The durable floor this feature stands on (jobs, mail outbox, audit trail, the tenants' writer), reached through
// this one file.
export { AuditTrail, type AuditEventView } from '../audit/audit-trail.service';
export { PermanentJobError, RetryLaterError, type JobContext, type JobHandler } from '../jobs/job-handler';
export { JobQueue } from '../jobs/job-queue.service';
export { JobRegistry } from '../jobs/job-registry';
export { RecurringJobs } from '../jobs/recurring-jobs.service';
export { Outbox } from '../mail/outbox.service';
export { TenantWriter } from '../tenants/tenant-writer';
