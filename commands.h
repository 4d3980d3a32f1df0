/* SPDX-License-Identifier: GPL-2.0 */
/* One function per ./ktstr subcommand, each in the file that owns it. */
#ifndef KTSTR_COMMANDS_H
#define KTSTR_COMMANDS_H

int cmd_shell(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_repro(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_gauntlet(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_verifier(int argc, char **argv);

#endif
