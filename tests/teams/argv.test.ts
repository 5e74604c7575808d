import { describe, expect, it } from 'vitest';
import { parseTeammateArgv } from '../../src/teams/argv.js';
import { classify } from '../../src/teams/protocol.js';

describe("Claude Code's teammate argv", () => {
  it('should read the agent, team, color, plan mode and the rest, in either flag form, ignoring flags it does not know', () => {
    const a = parseTeammateArgv(['--agent-id', 'backend-engineer@session-84bde2e9', '--agent-color=purple', '--parent-session-id', 'u-1', '--plan-mode-required', '--dangerously-skip-permissions', '--agent-type', 'general-purpose', '--model', 'claude-sonnet-5', '--effort', 'high']);
    expect(a).toEqual({ agentId: 'backend-engineer@session-84bde2e9', name: 'backend-engineer', team: 'session-84bde2e9', color: 'purple', parentSessionId: 'u-1', planModeRequired: true, agentType: 'general-purpose', model: 'claude-sonnet-5' });
  });

  it('should prefer --agent-name and --team-name to the parts of --agent-id', () => {
    expect(parseTeammateArgv(['--agent-id', 'x@y', '--agent-name', 'builder', '--team-name', 'session-1'])).toMatchObject({ name: 'builder', team: 'session-1', planModeRequired: false });
    expect(parseTeammateArgv(['--version'])).toEqual({ planModeRequired: false });
  });
});

describe("Claude Code's structured messages", () => {
  it('should tell them from text, and say what a known one lacks', () => {
    expect(classify('[PRIORITY: LOW]\n[TYPE: STATUS]\n[TO: x]\n\nhi').kind).toBe('text');
    expect(classify('{"type":"PLAN","to":"x","body":"b","priority":"LOW"}').kind).toBe('text');
    expect(classify('{"type":"shutdown_request","requestId":"shutdown-1@be","from":"team-lead","timestamp":"t"}')).toMatchObject({ kind: 'shutdown', request: { requestId: 'shutdown-1@be' } });
    expect(classify('{"type":"task_assignment","taskId":3,"subject":"s","description":"d","assignedBy":"team-lead"}')).toMatchObject({ kind: 'task', assignment: { taskId: '3' } });
    expect(classify('{"type":"plan_approval_response","requestId":"r","approved":true,"timestamp":"t"}').kind).toBe('plan-response');
    expect(classify('{"type":"plan_approval_response","approved":"yes"}')).toMatchObject({ kind: 'protocol', problem: expect.stringMatching(/^plan_approval_response: requestId/) });
    expect(classify('{"type":"mode_set_request","mode":"plan","from":"team-lead"}')).toEqual({ kind: 'protocol', type: 'mode_set_request' });
  });
});
