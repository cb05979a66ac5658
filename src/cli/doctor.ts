import { cac } from "cac";
import { cleanProcesses } from "../doctor/clean.ts";
import { doctorReport, formatDoctorReport } from "../doctor/report.ts";
import { cliContext, openCliStore } from "./context.ts";
import { standardFlags } from "./help.ts";

/** `remcli doctor [clean]`: what runs, what owns it, and a way to stop what nothing owns. */
export function doctorProgram() {
  const cli = cac("remcli doctor");

  cli
    .command("", "Show the daemon's state and every remcli process of this home, categorised")
    .option("--json", "Print one JSON object")
    .action((options: { json?: boolean }) => {
      const context = cliContext();
      using store = openCliStore(context);
      const report = doctorReport(context.paths, store);
      console.log(options.json ? JSON.stringify(report, null, 2) : formatDoctorReport(report));
      return 0;
    });

  cli
    .command("clean", "Stop orphaned remcli processes (SIGTERM, then SIGKILL after 1 s) and close stale records")
    .option("--all", "Stop every remcli process of this home, the daemon and its sessions included")
    .option("--json", "Print what was done as JSON")
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const context = cliContext();
      using store = openCliStore(context);
      const report = doctorReport(context.paths, store);
      const cleaned = await cleanProcesses(report, store, { all: Boolean(options.all) });
      if (options.json) {
        console.log(JSON.stringify({ cleaned, closedRecords: report.staleChildren.map((c) => c.id) }, null, 2));
        return 0;
      }
      if (cleaned.length === 0) console.log(options.all ? "no remcli processes to stop" : "no orphaned processes");
      for (const c of cleaned) {
        const what = {
          SIGTERM: "stopped with SIGTERM",
          SIGKILL: "killed with SIGKILL after ignoring SIGTERM for 1 s",
          "already-gone": "was already gone",
          "not-permitted": "could not be signalled (not permitted)",
          "identity-unknown": "left alone: its start time could not be read, so the pid may be another process",
        }[c.how];
        console.log(`${c.category} pid ${c.pid}: ${what}`);
      }
      if (report.staleChildren.length > 0) {
        console.log(`closed ${report.staleChildren.length} record(s) of processes that were already gone`);
      }
      return 0;
    });

  return standardFlags(cli);
}
