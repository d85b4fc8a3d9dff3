using System.Globalization;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Planning;

/// <summary>
/// Turns a parsed Dockerfile into a <see cref="BuildPlan"/>: resolves each FROM (global ARGs,
/// earlier stages, images, scratch), finds what every stage reads from, keeps only the stages the
/// target needs, inserts inherited ONBUILD triggers, and expands every step's arguments with the
/// ARG and ENV values in scope. Errors are <see cref="DockerfileSyntaxException"/>s at the
/// instruction at fault (or a <see cref="BerthException"/> for an unknown --target).
/// </summary>
public static class BuildPlanner
{
    public static Task<BuildPlan> PlanAsync(DockerfileAst ast, BuildArgs? args = null, string? target = null,
        BuildPlanOptions? options = null, CancellationToken cancellationToken = default) =>
        new Planner(ast, args ?? BuildArgs.Empty, options ?? new BuildPlanOptions()).RunAsync(target, cancellationToken);

    /// <summary>
    /// <see cref="PlanAsync"/> for callers without a base image resolver, or with one that
    /// completes synchronously.
    /// </summary>
    public static BuildPlan Plan(DockerfileAst ast, BuildArgs? args = null, string? target = null, BuildPlanOptions? options = null) =>
        PlanAsync(ast, args, target, options).GetAwaiter().GetResult();

    /// <summary>What the planner knows of one stage while it works.</summary>
    private sealed class StageState(DockerfileStage source)
    {
        public DockerfileStage Source { get; } = source;
        public BuildSource Base { get; set; } = ScratchSource.Instance;
        public Platform? Platform { get; set; }
        /// <summary>Inherited triggers (once known) followed by the stage's own instructions.</summary>
        public List<(Instruction Instruction, bool IsTrigger)> Steps { get; } = [.. source.Instructions.Select(i => (i, false))];
        public bool TriggersAdded { get; set; }
        public SortedSet<int> DependsOn { get; } = [];
        public List<ImageReference> Images { get; } = [];
        public Dictionary<Instruction, BuildSource> CopySources { get; } = new(ReferenceEqualityComparer.Instance);
        public Dictionary<Instruction, List<BuildSource>> MountSources { get; } = new(ReferenceEqualityComparer.Instance);
        public BaseImageInfo? BaseImage { get; set; }
        public StageScope? FinalScope { get; set; }
    }

    private sealed class Planner(DockerfileAst ast, BuildArgs args, BuildPlanOptions options)
    {
        private readonly ShellLexer _lexer = new(ast.EscapeToken);
        private readonly Platform _buildPlatform = options.BuildPlatform;
        private readonly Platform _targetPlatform = options.TargetPlatform ?? options.BuildPlatform;
        private readonly Dictionary<string, string> _globals = new(StringComparer.Ordinal);
        private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
        private readonly List<StageState> _stages = [.. ast.Stages.Select(s => new StageState(s))];

        public async Task<BuildPlan> RunAsync(string? target, CancellationToken ct)
        {
            int targetIndex = FindTarget(target);
            GlobalScope(ast.Stages[targetIndex].Name);
            foreach (var stage in _stages) ResolveFrom(stage);
            foreach (var stage in _stages)
                foreach (var (instruction, _) in stage.Steps)
                    AddDependencies(stage, instruction);

            var needed = await NeededStagesAsync(targetIndex, ct);
            foreach (var stage in needed) ExpandStage(stage);

            var planned = new Dictionary<int, PlannedStage>();
            foreach (var stage in needed) planned[stage.Source.Index] = ToPlanned(stage);
            var ordered = needed.Select(s => planned[s.Source.Index]).ToList();
            return new BuildPlan
            {
                Stages = ordered,
                Target = planned[targetIndex],
                Waves = StageGraph.Waves(ordered),
                TargetPlatform = _targetPlatform,
                BuildPlatform = _buildPlatform,
                GlobalArgs = _globals,
                PredefinedArgs = PredefinedArgs(),
                UnusedBuildArgs = [.. args.Names.Where(n => !_declared.Contains(n) && !BuildArgs.Predefined.Contains(n) && !PlatformArgs.IsPlatformArg(n)).Order(StringComparer.Ordinal)],
                Warnings = ast.Warnings,
            };
        }

        private int FindTarget(string? target)
        {
            if (string.IsNullOrEmpty(target)) return _stages.Count - 1;
            var index = _stages.FindIndex(s => string.Equals(s.Source.Name, target, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) return index;
            var names = _stages.Select(s => s.Source.Name).OfType<string>().ToList();
            var hint = SuggestName(target, names) is { } s ? $" (did you mean {s}?)"
                : names.Count == 0 ? " (no stage has a name: write FROM <image> AS <name>)"
                : $" (stages are {string.Join(", ", names)})";
            throw new BerthException($"target stage \"{target}\" could not be found{hint}");
        }

        // ---- the global scope: automatic platform ARGs, then ARGs before the first FROM ----

        private void GlobalScope(string? targetName)
        {
            foreach (var (name, value) in PlatformArgs.Defaults(_buildPlatform, _targetPlatform, targetName, args))
                _globals[name] = value;

            foreach (var arg in ast.GlobalArgs)
                foreach (var decl in arg.Args)
                {
                    _declared.Add(decl.Name);
                    string? value = args.TryGetValue(decl.Name, out var given) ? given
                        : decl.DefaultValue is { } d ? Expand(d, _globals, arg) : null;
                    if (value is not null) _globals[decl.Name] = value;
                }
        }

        // ---- FROM ----

        private void ResolveFrom(StageState stage)
        {
            var from = stage.Source.From;
            var baseName = Expand(from.BaseName, _globals, from);
            if (baseName.Length == 0)
                throw Error(from, $"base name ({from.BaseName}) should not be blank: declare it with ARG before the first FROM or pass --build-arg");
            if (from.Platform is { } p)
            {
                var platform = Expand(p, _globals, from);
                if (platform.Length == 0) throw Error(from, $"empty platform value from expression {p}");
                try { stage.Platform = Platform.Parse(platform); }
                catch (BerthException e) { throw Error(from, $"failed to parse platform {p}: {e.Message}"); }
            }
            if (baseName == "scratch")
            {
                stage.Base = ScratchSource.Instance;
                return;
            }
            var earlier = _stages.Take(stage.Source.Index).LastOrDefault(s => string.Equals(s.Source.Name, baseName, StringComparison.OrdinalIgnoreCase));
            if (earlier is not null)
            {
                stage.Base = new StageSource(earlier.Source.Index);
                stage.DependsOn.Add(earlier.Source.Index);
                return;
            }
            if (!ImageReference.TryParse(baseName, out var reference))
            {
                var reason = "";
                try { ImageReference.Parse(baseName); }
                catch (BerthException e) { reason = ": " + e.Message; }
                var hint = SuggestName(baseName, StageNamesBefore(stage.Source.Index)) is { } s ? $" (did you mean stage {s}?)" : "";
                throw Error(from, $"invalid base image name \"{baseName}\"{reason}{hint}");
            }
            stage.Base = new ImageSource(reference);
        }

        // ---- what each step reads from ----

        private void AddDependencies(StageState stage, Instruction instruction)
        {
            switch (instruction)
            {
                case CopyInstruction { From: { } from } copy:
                    if (_lexer.ProcessWord(from, null) != from)
                        throw Error(copy, "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround");
                    stage.CopySources[instruction] = ResolveSource(stage, from, instruction,
                        s => $"cannot copy from stage \"{from}\", it needs to be defined before current stage \"{Display(stage)}\"");
                    break;
                case RunInstruction run:
                    var sources = new List<BuildSource>();
                    foreach (var spec in run.MountSpecs)
                        sources.Add(RunMount.RawFrom(spec) is { Length: > 0 } from
                            ? ResolveSource(stage, from, instruction, s => $"cannot mount from stage \"{from}\", stage needs to be defined before current command")
                            : ContextSource.Instance);
                    stage.MountSources[instruction] = sources;
                    break;
            }
        }

        private BuildSource ResolveSource(StageState stage, string from, Instruction at, Func<int, string> tooLate)
        {
            int current = stage.Source.Index;
            int index;
            if (int.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                if (n >= _stages.Count) throw Error(at, $"invalid stage index {n}: the Dockerfile has stages 0 to {_stages.Count - 1}");
                index = n;
            }
            else
            {
                index = _stages.FindIndex(s => string.Equals(s.Source.Name, from, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    if (ImageReference.TryParse(from, out var image))
                    {
                        stage.Images.Add(image);
                        return new ImageSource(image);
                    }
                    var hint = SuggestName(from, StageNamesBefore(current)) is { } s ? $" (did you mean {s}?)" : "";
                    throw Error(at, $"\"{from}\" is neither a stage defined before this one nor a valid image reference{hint}");
                }
            }
            if (index >= current) throw Error(at, tooLate(index));
            stage.DependsOn.Add(index);
            return new StageSource(index);
        }

        // ---- which stages the target needs (ONBUILD triggers may add more) ----

        private async Task<List<StageState>> NeededStagesAsync(int target, CancellationToken ct)
        {
            var resolved = new Dictionary<string, Task<BaseImageInfo>>(StringComparer.Ordinal);
            while (true)
            {
                var needed = Reachable(target);
                var pending = needed.Where(s => !s.TriggersAdded).ToList();
                if (pending.Count == 0) return needed;

                // Resolve every new image base at once, as BuildKit does.
                foreach (var stage in pending)
                    if (stage.Base is ImageSource image && options.BaseImages is { } resolver)
                    {
                        var platform = stage.Platform ?? _targetPlatform;
                        var key = image.Reference + "|" + platform;
                        if (!resolved.ContainsKey(key)) resolved[key] = resolver.ResolveAsync(image.Reference, platform, ct);
                    }
                foreach (var stage in pending)
                {
                    stage.TriggersAdded = true;
                    List<Instruction> triggers = [];
                    if (stage.Base is ImageSource image && options.BaseImages is not null)
                    {
                        BaseImageInfo info;
                        try { info = await resolved[image.Reference + "|" + (stage.Platform ?? _targetPlatform)]; }
                        catch (BerthException e) when (e is not DockerfileSyntaxException) { throw Error(stage.Source.From, e.Message); }
                        stage.BaseImage = info;
                        triggers = [.. info.OnBuild.Select(t => DockerfileParser.ParseTrigger(t, stage.Source.From.Location, ast.LineText(stage.Source.From.Location.Line)))];
                    }
                    else if (stage.Base is StageSource parent)
                    {
                        triggers = [.. _stages[parent.StageIndex].Source.Instructions.OfType<OnbuildInstruction>()
                            .Select(o => o.Trigger with { Location = stage.Source.From.Location, EndLine = stage.Source.From.Location.Line })];
                    }
                    stage.Steps.InsertRange(0, triggers.Select(t => (t, true)));
                    foreach (var trigger in triggers) AddDependencies(stage, trigger);
                }
            }
        }

        private List<StageState> Reachable(int target) =>
            [.. StageGraph.Reachable(target, i => _stages[i].DependsOn).Select(i => _stages[i])];

        // ---- expansion, step by step ----

        private readonly Dictionary<int, List<PlannedStep>> _steps = [];

        private void ExpandStage(StageState stage)
        {
            var scope = stage.Base switch
            {
                StageSource parent => _stages[parent.StageIndex].FinalScope!.Clone(),
                _ => StageScope.FromImageEnv(stage.BaseImage?.Env ?? []),
            };
            var expander = new StepExpander(_lexer);
            var steps = new List<PlannedStep>();
            foreach (var (instruction, isTrigger) in stage.Steps)
            {
                var vars = scope.Variables();
                StepExpander.Result result;
                try
                {
                    result = expander.Expand(instruction, vars);
                }
                catch (BerthException e) when (e is ShellExpansionException or InstructionValueException)
                {
                    throw Error(instruction, e.Message);
                }
                var expanded = result.Expanded;
                switch (instruction)
                {
                    case ArgInstruction arg:
                        // Each name sees the ones declared before it on the same line.
                        foreach (var decl in arg.Args) scope.DeclareArg(decl.Name, ArgValue(decl, scope.Variables(), arg));
                        break;
                    case EnvInstruction:
                        foreach (var v in ((EnvInstruction)expanded).Variables) scope.SetEnv(v.Key, v.Value);
                        break;
                }
                var buildArgs = scope.VisibleArgs();
                stage.CopySources.TryGetValue(instruction, out var copySource);
                if (expanded is FileInstruction && copySource is null) copySource = ContextSource.Instance;
                var mounts = new List<PlannedMount>();
                if (stage.MountSources.TryGetValue(instruction, out var mountSources))
                    for (int i = 0; i < result.Mounts.Count; i++)
                    {
                        var m = result.Mounts[i];
                        var source = m.From is null ? (m.Type == "bind" ? ContextSource.Instance : ScratchSource.Instance) : mountSources[i];
                        mounts.Add(new PlannedMount(m, source));
                    }
                steps.Add(new PlannedStep
                {
                    Instruction = instruction,
                    Expanded = expanded,
                    IsOnBuildTrigger = isTrigger,
                    BuildArgs = buildArgs,
                    CopySource = copySource,
                    Mounts = mounts,
                    ExposedPorts = result.Ports,
                    CacheKey = StepKey.For(expanded, instruction is RunInstruction ? buildArgs : [], copySource, mounts, result.Ports),
                });
            }
            stage.FinalScope = scope;
            _steps[stage.Source.Index] = steps;
        }

        /// <summary>An ARG's value: --build-arg, else its default (expanded), else the global value of that name.</summary>
        private string? ArgValue(ArgDeclaration decl, IReadOnlyDictionary<string, string> vars, ArgInstruction at)
        {
            _declared.Add(decl.Name);
            if (args.TryGetValue(decl.Name, out var given)) return given;
            if (decl.DefaultValue is { } d) return Expand(d, vars, at);
            return _globals.TryGetValue(decl.Name, out var global) ? global : null;
        }

        private PlannedStage ToPlanned(StageState stage) => new()
        {
            Index = stage.Source.Index,
            Name = stage.Source.Name,
            From = stage.Source.From,
            Base = stage.Base,
            Platform = stage.Platform,
            DependsOn = [.. stage.DependsOn],
            ImageDependencies = [.. stage.Images.Distinct()],
            Steps = _steps[stage.Source.Index],
        };

        private Dictionary<string, string> PredefinedArgs()
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in args.All)
                if (value is not null && BuildArgs.Predefined.Contains(name)) result[name] = value;
            return result;
        }

        // ---- helpers ----

        private string Expand(string word, IReadOnlyDictionary<string, string> vars, Instruction at)
        {
            try { return _lexer.ProcessWord(word, vars); }
            catch (ShellExpansionException e) { throw Error(at, e.Message); }
        }

        private string Display(StageState stage) => stage.Source.Name ?? "stage-" + stage.Source.Index;

        private List<string> StageNamesBefore(int index) =>
            [.. _stages.Take(index).Select(s => s.Source.Name).OfType<string>()];

        private static string? SuggestName(string value, IEnumerable<string> names) =>
            Suggestions.Closest(value.ToLowerInvariant(), names, caseSensitive: true);

        private DockerfileSyntaxException Error(Instruction at, string reason) => ast.Error(at.Location, reason);
    }
}
