/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A QMP client: enough of QEMU's machine protocol to save a stopped VM's
 * device state to a file and load it into a QEMU started with
 * `-incoming defer`.  Every call is bounded by a timeout and reports
 * failure through kt_fail(), naming the command.
 */
#ifndef KTSTR_QMP_H
#define KTSTR_QMP_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* A reply longer than this is refused: no QMP answer we ask for is. */
#define KT_QMP_MSG_MAX (1 << 20)

struct kt_qmp;

/*
 * What ends a connection's waits early: when @fd is readable and
 * @stop(@arg) says so, the call in progress fails as "interrupted".
 * @stop reads @fd, so that a byte that is no stop is not seen again.
 */
struct kt_qmp_cancel {
	int fd;
	bool (*stop)(void *arg);
	void *arg;
};

/*
 * Connects to the QMP socket at @path, retrying while it is not there or
 * not listening yet, for at most @timeout_ms, and leaves the connection
 * in command mode.  Gives up early when process @pid (if > 0) has exited;
 * a child of the caller is not reaped.  Every wait of the connection,
 * this one first, also ends at @cancel (NULL: never).  NULL on failure.
 */
struct kt_qmp *kt_qmp_connect(const char *path, pid_t pid, int timeout_ms,
			      const struct kt_qmp_cancel *cancel);

/*
 * Runs @cmd with @args (NULL: none) and waits at most @timeout_ms for its
 * reply, skipping events.  @args is consumed, even on failure, so a
 * json_pack() can be passed directly.  On success stores the "return"
 * value in *@ret (a new reference) if @ret is not NULL and returns 0.
 * QEMU's refusal ("QMP <cmd>: <desc>"), a timeout, QEMU exiting or a
 * malformed reply is -1.
 */
int kt_qmp_execute(struct kt_qmp *q, const char *cmd, json_t *args,
		   json_t **ret, int timeout_ms);

void kt_qmp_close(struct kt_qmp *q);

/*
 * Stops the VM and writes its state but its shared RAM to @state_path.
 * The VM stays stopped.
 */
int kt_qmp_save_state(struct kt_qmp *q, const char *state_path,
		      int timeout_ms);
/*
 * Loads what kt_qmp_save_state() wrote into a QEMU started with
 * `-incoming defer` and a copy of the saved VM's RAM file.  The VM stays
 * stopped.
 */
int kt_qmp_load_state(struct kt_qmp *q, const char *state_path,
		      int timeout_ms);
int kt_qmp_cont(struct kt_qmp *q, int timeout_ms);

#endif
