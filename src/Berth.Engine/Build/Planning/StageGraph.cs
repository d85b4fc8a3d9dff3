namespace Berth.Engine.Build.Planning;

/// <summary>Reachability and scheduling over stage dependency edges (which always point to earlier stages).</summary>
internal static class StageGraph
{
    /// <summary>The target and every stage it depends on, transitively, ascending.</summary>
    public static List<int> Reachable(int target, Func<int, IEnumerable<int>> dependencies)
    {
        var seen = new SortedSet<int>();
        var stack = new Stack<int>([target]);
        while (stack.Count > 0)
        {
            int i = stack.Pop();
            if (!seen.Add(i)) continue;
            foreach (var dep in dependencies(i)) stack.Push(dep);
        }
        return [.. seen];
    }

    /// <summary>Groups stages by depth: a wave holds stages whose dependencies all lie in earlier waves.</summary>
    public static List<IReadOnlyList<PlannedStage>> Waves(IReadOnlyList<PlannedStage> ordered)
    {
        var level = new Dictionary<int, int>();
        foreach (var s in ordered)
            level[s.Index] = s.DependsOn.Count == 0 ? 0 : s.DependsOn.Max(d => level[d]) + 1;
        return [.. ordered.GroupBy(s => level[s.Index]).OrderBy(g => g.Key).Select(g => (IReadOnlyList<PlannedStage>)[.. g])];
    }
}
