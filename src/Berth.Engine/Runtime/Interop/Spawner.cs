using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Engine.Runtime.Interop;

/// <summary>
/// posix_spawn with an exact descriptor plan: the child gets <c>Fds[i]</c> as descriptor i (nothing
/// there when it is -1) and no other descriptor, default signal handlers and an empty signal mask (the .NET
/// runtime ignores SIGPIPE; a container must not inherit that), and optionally a new session.
/// glibc spawns with vfork semantics, so this is cheap even from a large process.
/// </summary>
internal static unsafe class Spawner
{
    private const int AttrSize = 1024, ActionsSize = 1024, SigSetSize = 128;

    public static int Spawn(string executable, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<int> fds,
        bool newSession = false, string? workingDirectory = null)
    {
        for (int i = 0; i < fds.Count; i++)
            if (fds[i] >= 0 && fds[i] < fds.Count && fds[i] != i)
                throw new ArgumentException($"descriptor {fds[i]} would be overwritten before it is duplicated to {i}");
        var strings = new List<nint>();
        void* actions = NativeMemory.AllocZeroed(ActionsSize);
        void* attr = NativeMemory.AllocZeroed(AttrSize);
        void* sigs = NativeMemory.AllocZeroed(SigSetSize);
        try
        {
            Libc.posix_spawn_file_actions_init(actions);
            for (int i = 0; i < fds.Count; i++)
                if (fds[i] >= 0) Check(Libc.posix_spawn_file_actions_adddup2(actions, fds[i], i), "adddup2");
            // Nothing else of ours (or of whoever started us) leaks into the child.
            Check(Libc.posix_spawn_file_actions_addclosefrom_np(actions, fds.Count), "addclosefrom");
            if (workingDirectory is not null)
                Check(Libc.posix_spawn_file_actions_addchdir_np(actions, (byte*)Utf8(workingDirectory, strings)), "addchdir");
            Libc.posix_spawnattr_init(attr);
            short flags = Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF;
            if (newSession) flags |= Libc.POSIX_SPAWN_SETSID;
            Libc.posix_spawnattr_setflags(attr, flags);
            Libc.sigemptyset(sigs);
            Libc.posix_spawnattr_setsigmask(attr, sigs);
            Libc.sigfillset(sigs);
            Libc.posix_spawnattr_setsigdefault(attr, sigs);

            byte** argvp = stackalloc byte*[argv.Count + 1];
            for (int i = 0; i < argv.Count; i++) argvp[i] = (byte*)Utf8(argv[i], strings);
            argvp[argv.Count] = null;
            byte** envp = stackalloc byte*[env.Count + 1];
            for (int i = 0; i < env.Count; i++) envp[i] = (byte*)Utf8(env[i], strings);
            envp[env.Count] = null;

            int pid;
            int rc = Libc.posix_spawn(&pid, (byte*)Utf8(executable, strings), actions, attr, argvp, envp);
            if (rc != 0) throw new BerthException($"cannot start {executable}: {Libc.Error(rc)}", BerthException.EngineError);
            return pid;
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(actions);
            Libc.posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigs);
            foreach (var s in strings) NativeMemory.Free((void*)s);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0) throw new BerthException($"posix_spawn {what}: {Libc.Error(rc)}", BerthException.EngineError);
    }

    private static nint Utf8(string s, List<nint> owned)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        owned.Add((nint)p);
        return (nint)p;
    }
}
