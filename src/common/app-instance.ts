import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

// This app instance among those sharing the database: host, process, and a random part (two apps in one process,
// as in the tests, are two instances). The job worker leases jobs under its id; app_instances lists it.
@Injectable()
export class AppInstance {
  readonly host = hostname().slice(0, 255);
  readonly pid = process.pid;
  readonly id = `${this.host.slice(0, 60)}:${this.pid}:${randomBytes(4).toString('hex')}`;
}
