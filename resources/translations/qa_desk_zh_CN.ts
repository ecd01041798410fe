<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AgentDetail</name>
    <message>
        <location filename="../../qa_desk/ui/agent_detail.py" line="+101"/>
        <source>Submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disputed</source>
        <translation>申诉中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Scorecards</source>
        <translation>评分卡</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Call date</source>
        <translation>通话日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Form</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Double-click an evaluation, or press Enter, to open its call.</source>
        <translation>双击评估或按 Enter 键，即可打开对应通话。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Sections</source>
        <translation>板块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Centre</source>
        <translation>全中心</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Evaluations in {0} (counted in the scorecard)</source>
        <translation>{0} 的评估（已计入评分卡）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>1 evaluation</source>
        <translation>1 份评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} evaluations</source>
        <translation>{0} 份评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>({0} behind the quota of {1})</source>
        <translation>（距 {1} 份的质检配额还差 {0} 份）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(quota of {0} met)</source>
        <translation>（已完成 {0} 份的质检配额）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>score {0}</source>
        <translation>得分 {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>({0} points against {1})</source>
        <translation>（较{1} {0} 分）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{0} failed on a critical item</source>
        <translation>{0} 份致命项不合格</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} confirmed flags per call</source>
        <translation>每个通话 {0} 条已确认标记</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Could not load the trends: {0}</source>
        <translation>无法加载趋势：{0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not load the agent&apos;s trends: {0}</source>
        <translation>无法加载该坐席的趋势：{0}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{0} (v{1})</source>
        <translation>{0}（v{1}）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{0}
Evaluation {1} of call {2}</source>
        <translation>{0}
通话 {2} 的评估 {1}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Failed on a critical item</source>
        <translation>致命项不合格</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No counted evaluations in {0}</source>
        <translation>{0} 没有计入评分卡的评估</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No evaluation of this agent was submitted in {0}, so the scorecard has no figures for them. The trends beside cover earlier periods too. Pick another period in Scorecards, or score one of the agent&apos;s calls (filter the calls by agent in Calls).</source>
        <translation>{0} 没有提交该坐席的评估，因此评分卡中没有其数据。旁边的趋势图也涵盖更早的周期。请在“评分卡”中选择其他周期，或为该坐席的某通通话评分（在“通话”中按坐席筛选通话）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No evaluation of this agent was submitted in {0}, so the scorecard has no figures for them. The trends beside cover earlier periods too; pick another period in Scorecards to see more.</source>
        <translation>{0} 没有提交该坐席的评估，因此评分卡中没有其数据。旁边的趋势图也涵盖更早的周期；请在“评分卡”中选择其他周期查看更多。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>That evaluation is from an earlier period: double-click the point to open its call.</source>
        <translation>该评估属于更早的周期：双击该点即可打开对应通话。</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../qa_desk/ui/audit_page.py" line="+51"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+28"/>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location line="-27"/>
        <location line="+27"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="-27"/>
        <source>Entity</source>
        <translation>对象</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Old</source>
        <translation>原值</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New</source>
        <translation>新值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Anyone</source>
        <translation>任何人</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Everything</source>
        <translation>全部</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Show</source>
        <translation>查询</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What</source>
        <translation>对象</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Only a team lead, a manager or an admin reads the audit log.</source>
        <translation>仅组长、经理或管理员可以查看审计日志。</translation>
    </message>
    <message numerus="yes">
        <location line="+26"/>
        <source>%n entries</source>
        <translation>
            <numerusform>%n 条</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (the newest {0}: narrow the filters)</source>
        <translation>（仅显示最新 {0} 条：请缩小筛选范围）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>The audit log records every change made in QA Desk, who made it and when: evaluations, flag decisions, forms, rulebooks, sampling, users.</source>
        <translation>审计日志记录在 QA Desk 中所做的每一项更改，以及更改人和更改时间：评估、标记处理、质检表、规则库、抽样、用户。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The audit log is for team leads, managers and admins</source>
        <translation>审计日志供组长、经理和管理员查看</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your role does not read it: ask a team lead or a manager when you need to know who changed something.</source>
        <translation>您的角色无法查看审计日志：如需了解某项更改是谁做的，请询问组长或经理。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No entry matches these filters</source>
        <translation>没有符合这些筛选条件的记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Widen the filters, or clear them to see everything.</source>
        <translation>请放宽筛选条件，或清除筛选以查看全部记录。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The audit log is empty</source>
        <translation>审计日志为空</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing has been changed in this database yet.</source>
        <translation>此数据库中尚未有任何更改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Any action</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Evaluation {0}: its whole history</source>
        <translation>评估 {0}：完整历史记录</translation>
    </message>
</context>
<context>
    <name>CLI</name>
    <message>
        <location filename="../../qa_desk/cli.py" line="+37"/>
        <source>&apos;{text}&apos; is not a date (use YYYY-MM-DD or &apos;YYYY-MM-DD HH:MM&apos;)</source>
        <translation>“{text}”不是日期（请用 YYYY-MM-DD 或“YYYY-MM-DD HH:MM”）</translation>
    </message>
    <message>
        <location line="+9"/>
        <location filename="../../qa_desk/cli_clips.py" line="+82"/>
        <source>--limit must be 0 or more</source>
        <translation>--limit 必须大于或等于 0</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&apos;{text}&apos; is not FIELD=HEADER (e.g. agent=坐席姓名)</source>
        <translation>“{text}”不是 字段=表头 的形式（例如 agent=坐席姓名）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unknown field &apos;{field}&apos;; choose from {fields}</source>
        <translation>未知字段“{field}”；可选：{fields}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>QA Desk: call quality assurance for contact centres. Without a command it opens the window.</source>
        <translation>QA Desk：呼叫中心的通话质检工具。不带命令时打开窗口。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>show program&apos;s version number and exit</source>
        <translation>显示程序版本号并退出</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>database URL (default: QA_DESK_DB, the setting, or the local SQLite file)</source>
        <translation>数据库 URL（默认：QA_DESK_DB、设置中的数据库或本机 SQLite 文件）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>import recordings (files and folders, recursively)</source>
        <translation>导入录音（文件和文件夹，包括子文件夹）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sidecar CSV/XLSX from the call recorder</source>
        <translation>录音系统导出的通话信息 CSV/XLSX 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>file-name pattern, e.g. &apos;{agent}_{started:%%Y%%m%%d-%%H%%M%%S}_{customer}&apos;</source>
        <translation>文件名格式，例如“{agent}_{started:%%Y%%m%%d-%%H%%M%%S}_{customer}”</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>which sidecar column holds a field (file, agent, agent_id, team, started_at, direction, queue, customer_ref); repeatable</source>
        <translation>通话信息文件中哪一列对应某个字段（file、agent、agent_id、team、started_at、direction、queue、customer_ref）；可重复使用</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>channel that carries the agent (default: setting, left)</source>
        <translation>坐席所在的声道（默认：设置中的声道，即左声道）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_clips.py" line="-8"/>
        <location filename="../../qa_desk/cli_export.py" line="+44"/>
        <source>print the report as JSON</source>
        <translation>以 JSON 格式输出报告</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_calibration.py" line="+51"/>
        <location filename="../../qa_desk/cli_clips.py" line="-22"/>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_evaluations.py" line="+26"/>
        <location filename="../../qa_desk/cli_flags.py" line="+38"/>
        <location filename="../../qa_desk/cli_forms.py" line="+37"/>
        <location filename="../../qa_desk/cli_review.py" line="+28"/>
        <location filename="../../qa_desk/cli_users.py" line="+25"/>
        <source>print the result as JSON</source>
        <translation>以 JSON 格式输出结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>list calls in the library</source>
        <translation>列出通话库中的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only this agent&apos;s calls</source>
        <translation>只列出此坐席的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only this team&apos;s calls</source>
        <translation>只列出此团队的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>from this date on</source>
        <translation>从此日期起</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>up to, not including</source>
        <translation>截至此日期（不含）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>text in file name, agent, team, customer or queue</source>
        <translation>文件名、坐席、团队、客户或技能队列中包含的文字</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>started_at, agent, team, duration, … (default started_at)</source>
        <translation>started_at、agent、team、duration 等（默认 started_at）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sort ascending (default: descending)</source>
        <translation>升序排列（默认：降序）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>at most this many (0: all; default 100)</source>
        <translation>最多列出这么多（0：全部；默认 100）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>one call: its details and audio metrics (talk, silence, holds, overtalk)</source>
        <translation>单个通话：详细信息和音频指标（说话、静默、通话保持、抢话）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_export_transcript.py" line="+31"/>
        <location filename="../../qa_desk/cli_flags.py" line="-1"/>
        <location filename="../../qa_desk/cli_transcripts.py" line="+47"/>
        <source>call id, or the recording&apos;s file name or path</source>
        <translation>通话编号，或录音的文件名或路径</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>measure the recording again instead of using stored metrics</source>
        <translation>重新测量录音，而不使用已保存的指标</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>shortest dead air to list, seconds (default 3)</source>
        <translation>列出的最短静默时长，秒（默认 3）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>silence counted as a hold, seconds (default 20)</source>
        <translation>计为通话保持的静默时长，秒（默认 20）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>shortest overtalk to list, seconds (default 0.3)</source>
        <translation>列出的最短抢话时长，秒（默认 0.3）</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>database maintenance</source>
        <translation>数据库维护</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>bring the database schema up to this version</source>
        <translation>将数据库结构升级到此版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>which database, which schema version, what it holds</source>
        <translation>所用数据库、结构版本及其中的内容</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>warning: {problem}; using defaults</source>
        <translation>警告：{problem}；使用默认设置</translation>
    </message>
    <message>
        <location line="+77"/>
        <location filename="../../qa_desk/cli_models.py" line="+84"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>cannot sort by &apos;{key}&apos;; choose one of {keys}</source>
        <translation>无法按“{key}”排序；可选：{keys}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_search.py" line="+109"/>
        <location filename="../../qa_desk/cli_transcripts.py" line="-25"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_transcripts.py" line="+169"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dir</source>
        <translation>方向</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{shown} of {total} calls (use --limit 0 for all)</source>
        <translation>{shown} / {total} 个通话（用 --limit 0 列出全部）</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_demo.py" line="+108"/>
        <source>1 call</source>
        <translation>1 个通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_demo.py" line="+0"/>
        <source>{n} calls</source>
        <translation>{n} 个通话</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>in</source>
        <translation>呼入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>out</source>
        <translation>呼出</translation>
    </message>
    <message>
        <location line="+36"/>
        <location line="+39"/>
        <location filename="../../qa_desk/cli_clips.py" line="+63"/>
        <location filename="../../qa_desk/cli_evaluations.py" line="+37"/>
        <location filename="../../qa_desk/cli_review.py" line="+171"/>
        <location line="+28"/>
        <location line="+24"/>
        <location filename="../../qa_desk/cli_scorecards.py" line="+109"/>
        <source>agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>mixed</source>
        <translation>混合</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>left</source>
        <translation>左声道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>right</source>
        <translation>右声道</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>inbound</source>
        <translation>呼入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>outbound</source>
        <translation>呼出</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{start}–{end} s</source>
        <translation>{start}–{end} 秒</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>channel {n}</source>
        <translation>声道 {n}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>queue {queue}</source>
        <translation>技能队列 {queue}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>customer {customer}</source>
        <translation>客户 {customer}</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../qa_desk/cli_transcripts.py" line="-10"/>
        <source>Call {id}  {file}</source>
        <translation>通话 {id}  {file}</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_clips.py" line="+0"/>
        <location filename="../../qa_desk/cli_scorecards.py" line="+0"/>
        <location line="+8"/>
        <source>team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_review.py" line="-23"/>
        <source>duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>channels</source>
        <translation>声道</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+100"/>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="-98"/>
        <source>Audio metrics</source>
        <translation>音频指标</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>talk</source>
        <translation>说话时长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>talk/listen</source>
        <translation>说听比</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{ratio} (agent talk ÷ customer talk)</source>
        <translation>{ratio}（坐席说话时长 ÷ 客户说话时长）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>– (mono recording: both speakers share one channel)</source>
        <translation>–（单声道录音：双方共用一个声道）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>– (the customer did not speak)</source>
        <translation>–（客户没有说话）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>agent after {seconds} s</source>
        <translation>坐席在 {seconds} 秒后开口</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>first words</source>
        <translation>首次开口</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none ≥ {min} s</source>
        <translation>无 ≥ {min} 秒的静默</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} of ≥ {min} s, {total} s in all</source>
        <translation>{count} 段 ≥ {min} 秒，共 {total} 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>silence</source>
        <translation>静音</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>longest {longest} s; dead air: {silences}</source>
        <translation>最长 {longest} 秒；静默：{silences}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>holds</source>
        <translation>通话保持</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{count} (≥ {min} s)</source>
        <translation>{count}（≥ {min} 秒）</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+2"/>
        <source>overtalk</source>
        <translation>抢话</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>– (cannot be told apart on a mono recording)</source>
        <translation>–（单声道录音无法区分）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} (≥ {min} s), agent interrupting: {n}</source>
        <translation>{count}（≥ {min} 秒），坐席打断：{n}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>agent talked over the customer</source>
        <translation>坐席抢客户的话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>customer talked over the agent</source>
        <translation>客户抢坐席的话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>both started talking at once</source>
        <translation>双方同时开口</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{who} {rate} characters/min</source>
        <translation>{who} {rate} 字/分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{who} {rate} words/min</source>
        <translation>{who} {rate} 词/分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>speech rate</source>
        <translation>语速</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{url}: schema {schema} is up to date</source>
        <translation>{url}：数据库结构 {schema} 已是最新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{url}: schema upgraded from {before} to {after}</source>
        <translation>{url}：数据库结构已从 {before} 升级到 {after}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>empty</source>
        <translation>空</translation>
    </message>
    <message>
        <location line="+29"/>
        <location filename="../../qa_desk/cli_models.py" line="+23"/>
        <location line="+128"/>
        <location filename="../../qa_desk/cli_review.py" line="-114"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_review.py" line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>run &apos;qa-desk db upgrade&apos; (or start QA Desk) to bring the schema up to date</source>
        <translation>运行“qa-desk db upgrade”（或启动 QA Desk）将数据库结构升级到最新</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>url</source>
        <translation>URL</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>backend</source>
        <translation>数据库类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>schema</source>
        <translation>结构版本</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>latest schema</source>
        <translation>最新结构版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>up to date</source>
        <translation>已是最新</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>file size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_demo.py" line="+11"/>
        <location filename="../../qa_desk/cli_progress.py" line="+15"/>
        <source>calls</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_demo.py" line="-2"/>
        <location filename="../../qa_desk/cli_scorecards.py" line="+0"/>
        <source>agents</source>
        <translation>坐席数</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_demo.py" line="-1"/>
        <source>teams</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_argparse.py" line="+17"/>
        <source>usage: </source>
        <translation>用法：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>positional arguments</source>
        <translation>位置参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>show this help message and exit</source>
        <translation>显示此帮助信息并退出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%(prog)s: error: %(message)s
</source>
        <translation>%(prog)s：错误：%(message)s
</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>argument %(argument_name)s: %(message)s</source>
        <translation>参数 %(argument_name)s：%(message)s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>invalid choice: %(value)r (choose from %(choices)s)</source>
        <translation>无效的选项：%(value)r（可选：%(choices)s）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>invalid %(type)s value: %(value)r</source>
        <translation>无效的 %(type)s 值：%(value)r</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the following arguments are required: %s</source>
        <translation>缺少以下必需参数：%s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>unrecognized arguments: %s</source>
        <translation>无法识别的参数：%s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>expected one argument</source>
        <translation>需要一个参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>expected at least one argument</source>
        <translation>至少需要一个参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>expected at most one argument</source>
        <translation>最多只能有一个参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ambiguous option: %(option)s could match %(matches)s</source>
        <translation>选项不明确：%(option)s 可能是 %(matches)s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not allowed with argument %s</source>
        <translation>不能与参数 %s 同时使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one of the arguments %s is required</source>
        <translation>需要以下参数之一：%s</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ignored explicit argument %r</source>
        <translation>忽略了显式参数 %r</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>can&apos;t open &apos;%(filename)s&apos;: %(error)s</source>
        <translation>无法打开“%(filename)s”：%(error)s</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_calibration.py" line="-17"/>
        <source>&apos;{text}&apos; is not a date (YYYY-MM-DD)</source>
        <translation>“{text}”不是日期（格式 YYYY-MM-DD）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>calibration sessions: several reviewers score the same calls</source>
        <translation>校准会：多位质检员为相同的通话评分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the calibration sessions you may see, with their progress</source>
        <translation>您可查看的校准会及其进度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>one session&apos;s results: agreement per item, deviation per reviewer</source>
        <translation>一场校准会的结果：各评分项的一致率、各质检员的偏差</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>each reviewer&apos;s deviation and agreement rate over time</source>
        <translation>每位质检员在一段时间内的偏差和一致率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sessions started on or after (YYYY-MM-DD)</source>
        <translation>在此日期或之后发起的校准会（YYYY-MM-DD）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sessions started on or before (YYYY-MM-DD)</source>
        <translation>在此日期或之前发起的校准会（YYYY-MM-DD）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>who is asking (default: the settings&apos; reviewer)</source>
        <translation>查询者（默认：设置中的质检员）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>write the Excel workbook</source>
        <translation>写入 Excel 工作簿</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>No calibration sessions.</source>
        <translation>没有校准会。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, you: {done}/{calls}</source>
        <translation>，您：{done}/{calls}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>reference: {reference}  scored {submitted}/{expected}</source>
        <translation>基准：{reference}  已评分 {submitted}/{expected}</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+19"/>
        <source>median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Calibration {id}  {name}  [{status}]  {form} v{version}  reference: {reference}</source>
        <translation>校准会 {id}  {name}  [{status}]  {form} v{version}  基准：{reference}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Call {call}: submitted {submitted}/{participants}</source>
        <translation>通话 {call}：已提交 {submitted}/{participants}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(blind: submit your own sheet to see the others)</source>
        <translation>（盲评：提交您自己的评分表后即可看到其他人的评分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(no sheets yet)</source>
        <translation>（尚无评分表）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> (the reference has not submitted: against the median)</source>
        <translation>（基准评分尚未提交：暂与中位数比较）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>agreement {agreement}, spread {low}–{high} (σ {stdev})</source>
        <translation>一致率 {agreement}，离散度 {low}–{high}（σ {stdev}）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>deviation {deviation}  differs on {items}</source>
        <translation>偏差 {deviation}  不一致的评分项：{items}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nothing</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Sessions: {sessions}, calibrated calls: {calls}</source>
        <translation>校准会：{sessions} 场，已校准通话：{calls} 个</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>calls: {calls}, mean distance {distance}, mean deviation {deviation}, agreement {agreement}</source>
        <translation>通话：{calls} 个，平均距离 {distance}，平均偏差 {deviation}，一致率 {agreement}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{file}: calibration exports are Excel workbooks; name the file .xlsx</source>
        <translation>{file}：校准导出为 Excel 工作簿；请将文件命名为 .xlsx</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_clips.py" line="-81"/>
        <source>&apos;{text}&apos; is not a clip id (a whole number; &apos;qa-desk clips list&apos; shows them)</source>
        <translation>“{text}”不是片段编号（应为整数；“qa-desk clips list”可列出片段编号）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the training library: list clips and playlists, export them</source>
        <translation>培训库：列出片段和播放列表，并导出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clips, newest first, with their ids</source>
        <translation>片段（最新的在前）及其编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>text in the title, notes, tags, agent or transcript</source>
        <translation>标题、备注、标签、坐席或转写文本中的文字</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clips with this tag; repeatable</source>
        <translation>带有此标签的片段；可重复使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>clips of this kind</source>
        <translation>此类型的片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the agent&apos;s name</source>
        <translation>坐席姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the team&apos;s name</source>
        <translation>团队名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_evaluations.py" line="-38"/>
        <source>at most N (default: all)</source>
        <translation>最多 N 条（默认：全部）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>playlists with their ids, clips and length</source>
        <translation>播放列表及其编号、片段和时长</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>clips&apos; audio and transcript excerpts (and a playlist&apos;s index) into a folder or zip</source>
        <translation>将片段的音频和转写文本节选（以及播放列表的索引）导出到文件夹或 zip 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export clips or a playlist: audio, TXT and SRT per clip, index.html and index.xlsx for a playlist or several clips. Anonymised unless --no-anonymise.</source>
        <translation>导出片段或播放列表：每个片段导出音频、TXT 和 SRT；播放列表或多个片段另附 index.html 和 index.xlsx。除非指定 --no-anonymise，否则进行匿名化。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>export this playlist, in its order</source>
        <translation>按顺序导出此播放列表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a new folder (or FILE.zip with --zip)</source>
        <translation>新文件夹（使用 --zip 时为 FILE.zip）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>audio format (default wav)</source>
        <translation>音频格式（默认 wav）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>one zip file instead of a folder</source>
        <translation>导出为一个 zip 文件而非文件夹</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>keep the agent&apos;s name and the numbers said (anonymised by default)</source>
        <translation>保留坐席姓名和通话中读出的号码（默认进行匿名化）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>silence hidden numbers instead of beeping them</source>
        <translation>以静音而非提示音隐藏号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>replace an existing folder or zip</source>
        <translation>替换已存在的文件夹或 zip 文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_export_transcript.py" line="+8"/>
        <source>language of the labels (default: the setting)</source>
        <translation>标签的语言（默认：设置中的语言）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>give clip ids or --playlist ID (one or the other)</source>
        <translation>请指定片段编号或 --playlist ID（二选一）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>No clips match.</source>
        <translation>没有符合条件的片段。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+25"/>
        <location filename="../../qa_desk/cli_evaluations.py" line="+38"/>
        <location filename="../../qa_desk/cli_review.py" line="-3"/>
        <location line="+116"/>
        <source>id</source>
        <translation>编号</translation>
    </message>
    <message>
        <location line="-25"/>
        <source>title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_evaluations.py" line="+0"/>
        <source>call date</source>
        <translation>通话日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>span</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>s</source>
        <translation>秒</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{count} clip</source>
        <translation>{count} 个片段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{count} clips</source>
        <translation>{count} 个片段</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No playlists yet.</source>
        <translation>尚无播放列表。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_review.py" line="-116"/>
        <location filename="../../qa_desk/cli_rules.py" line="+100"/>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+32"/>
        <location filename="../../qa_desk/cli_demo.py" line="+8"/>
        <location filename="../../qa_desk/cli_progress.py" line="+1"/>
        <source>clips</source>
        <translation>片段</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>length</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>{problem}; &apos;qa-desk clips list&apos; shows the clips</source>
        <translation>{problem}；“qa-desk clips list”可列出片段</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>nothing was exported</source>
        <translation>未导出任何内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>anonymised, {count} number hidden</source>
        <translation>已匿名化，隐藏了 {count} 个号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>anonymised, {count} numbers hidden</source>
        <translation>已匿名化，隐藏了 {count} 个号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not anonymised</source>
        <translation>未匿名化</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported {count} clip to {target} ({how})</source>
        <translation>已将 {count} 个片段导出到 {target}（{how}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exported {count} clips to {target} ({how})</source>
        <translation>已将 {count} 个片段导出到 {target}（{how}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_demo.py" line="-94"/>
        <source>fill an empty database with a demo centre (teams, agents, months of evaluations)</source>
        <translation>用演示呼叫中心填充空数据库（团队、坐席、数月的评估）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>how many agents (1-2000, default {default})</source>
        <translation>坐席人数（1-2000，默认 {default}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>months of calls and evaluations before this month (1-36, default {default})</source>
        <translation>本月之前的通话和评估月数（1-36，默认 {default}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the same seed builds the same centre (default {default})</source>
        <translation>相同的种子生成相同的呼叫中心（默认 {default}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>what was created, as JSON</source>
        <translation>以 JSON 输出所创建的内容</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>--agents must be between 1 and {most}, not {given}</source>
        <translation>--agents 必须在 1 到 {most} 之间，而不是 {given}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>--months must be between 1 and {most}, not {given}</source>
        <translation>--months 必须在 1 到 {most} 之间，而不是 {given}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>disputed</source>
        <translation>申诉中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>dismissed</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>improving</source>
        <translation>进步中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>declining</source>
        <translation>下滑中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>new</source>
        <translation>新人</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>1 month</source>
        <translation>1 个月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} months</source>
        <translation>{n} 个月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 team</source>
        <translation>1 个团队</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} teams</source>
        <translation>{n} 个团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 agent</source>
        <translation>1 名坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} agents</source>
        <translation>{n} 名坐席</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>1 evaluation</source>
        <translation>1 份评估</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} evaluations</source>
        <translation>{n} 份评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 flag</source>
        <translation>1 条标记</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} flags</source>
        <translation>{n} 条标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 training clip</source>
        <translation>1 个培训片段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} training clips</source>
        <translation>{n} 个培训片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 playlist</source>
        <translation>1 个播放列表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} playlists</source>
        <translation>{n} 个播放列表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Demo centre built: {first} to {last} ({months} and this month so far).</source>
        <translation>演示呼叫中心已建好：{first} 至 {last}（{months}及本月至今）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{calls} (the sample recordings reused, transcribed and checked)</source>
        <translation>{calls}（重复使用示例录音，已转写并检查）</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_scorecards.py" line="-11"/>
        <source>evaluations</source>
        <translation>评估数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>reviewers</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{clips} in {playlists}</source>
        <translation>{clips}，分属 {playlists}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>behind quota last month: {names}</source>
        <translation>上月未完成质检配额：{names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the sample calls&apos; agents joined the demo teams: {names}</source>
        <translation>示例通话的坐席已加入演示团队：{names}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Built in {seconds} s (seed {seed}).</source>
        <translation>用时 {seconds} 秒（种子 {seed}）。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_evaluations.py" line="-43"/>
        <source>evaluations and their scores</source>
        <translation>评估及其得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the agent&apos;s name or external id</source>
        <translation>坐席姓名或外部编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>calls on or after (YYYY-MM-DD)</source>
        <translation>在此日期或之后的通话（YYYY-MM-DD）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>calls on or before (YYYY-MM-DD)</source>
        <translation>在此日期或之前的通话（YYYY-MM-DD）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only evaluations in this status</source>
        <translation>仅限处于此状态的评估</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>No evaluations match.</source>
        <translation>没有符合条件的评估。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location filename="../../qa_desk/cli_review.py" line="+88"/>
        <location line="+28"/>
        <source>call</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>form</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_review.py" line="-28"/>
        <location line="+50"/>
        <source>reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/cli_review.py" line="-21"/>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>auto-failed</source>
        <translation>致命项不合格</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_export.py" line="-17"/>
        <source>export scorecards or a call&apos;s transcript (workbook, CSV, TXT, SRT, …)</source>
        <translation>导出评分卡或通话的转写文本（工作簿、CSV、TXT、SRT 等）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a period&apos;s scorecards: summary, sections, evaluations, answers, flags, charts</source>
        <translation>一个周期的评分卡：汇总、板块、评估、作答、标记、图表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export a period&apos;s scorecards to an Excel workbook (.xlsx) or CSV files (.csv).</source>
        <translation>将一个周期的评分卡导出为 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>2026-10 (month), 2026-Q4, 2026-W44 (ISO week) or 2026-10-01..2026-10-15</source>
        <translation>2026-10（月）、2026-Q4、2026-W44（ISO 周）或 2026-10-01..2026-10-15</translation>
    </message>
    <message>
        <location line="+2"/>
        <location filename="../../qa_desk/cli_scorecards.py" line="-76"/>
        <source>one row per agent (default) or team</source>
        <translation>每位坐席（默认）或每个团队一行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only this team</source>
        <translation>仅限此团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only evaluations on this form (its key)</source>
        <translation>仅限使用此质检表的评估（质检表标识）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>evaluations per agent per month (default: the setting, 4)</source>
        <translation>每位坐席每月的评估数（默认：设置中的值，4）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>FILE.xlsx for a workbook, FILE.csv for CSV files</source>
        <translation>FILE.xlsx 为工作簿，FILE.csv 为 CSV 文件</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>--quota must be 0 or more</source>
        <translation>--quota 必须大于或等于 0</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../../qa_desk/cli_progress.py" line="+0"/>
        <source>rows</source>
        <translation>行</translation>
    </message>
    <message>
        <location line="+25"/>
        <location line="+5"/>
        <location filename="../../qa_desk/cli_scorecards.py" line="+26"/>
        <location line="+4"/>
        <source>none yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>no team &apos;{team}&apos; (teams: {known})</source>
        <translation>没有团队“{team}”（现有团队：{known}）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no form &apos;{form}&apos; (give a form&apos;s key; forms: {known})</source>
        <translation>没有质检表“{form}”（请提供质检表标识；现有质检表：{known}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_export_transcript.py" line="-12"/>
        <source>a call&apos;s transcript as TXT, SRT, WebVTT or JSON</source>
        <translation>以 TXT、SRT、WebVTT 或 JSON 格式导出通话的转写文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Write a call&apos;s transcript as TXT, SRT, WebVTT or JSON (words with times, speaker, confidence).</source>
        <translation>将通话的转写文本写为 TXT、SRT、WebVTT 或 JSON（含每个词的时间、说话人和置信度）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>default: the output file&apos;s suffix, else txt</source>
        <translation>默认：按输出文件的后缀，否则为 txt</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>write this file (default: print)</source>
        <translation>写入此文件（默认：直接输出）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the agent&apos;s name as a label, card/phone/ID numbers masked</source>
        <translation>坐席姓名替换为代号，遮盖卡号、电话号码和证件号</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{file}: give -f txt, srt, vtt or json (or a file ending in one of them)</source>
        <translation>{file}：请指定 -f txt、srt、vtt 或 json（或使用以其中之一结尾的文件名）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{folder}: no such folder</source>
        <translation>{folder}：文件夹不存在</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>{file}: cannot be written ({error})</source>
        <translation>{file}：无法写入（{error}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Call {call}: transcript written to {file} ({format}, anonymised)</source>
        <translation>通话 {call}：转写文本已写入 {file}（{format}，已匿名化）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call {call}: transcript written to {file} ({format})</source>
        <translation>通话 {call}：转写文本已写入 {file}（{format}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_progress.py" line="-1"/>
        <source>recordings</source>
        <translation>个录音</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_search.py" line="-85"/>
        <source>find what was said in the calls&apos; transcripts</source>
        <translation>在通话转写文本中搜索说过的话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>words or a phrase, e.g. 投诉 or &apos;transfer you&apos;</source>
        <translation>词语或短语，例如 投诉 或“transfer you”</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only what this side said</source>
        <translation>只搜索这一方说的话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>calls that started on or after (YYYY-MM-DD [HH:MM])</source>
        <translation>在此时间或之后开始的通话（YYYY-MM-DD [HH:MM]）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>calls that started before, not including</source>
        <translation>在此时间之前开始的通话（不含）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>at most this many hits (default 50; 0: only count them)</source>
        <translation>最多显示这么多条结果（默认 50；0：只计数）</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Nothing found for &apos;{text}&apos;</source>
        <translation>没有找到“{text}”</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing found for &apos;{text}&apos; (only punctuation: nothing to look for)</source>
        <translation>没有找到“{text}”（只有标点：没有可搜索的内容）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/cli_transcripts.py" line="+10"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Said</source>
        <translation>原话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{shown} of {total} hits (use --limit for more)</source>
        <translation>{shown} / {total} 条结果（用 --limit 显示更多）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>1 hit</source>
        <translation>1 条结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} hits</source>
        <translation>{n} 条结果</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_transcripts.py" line="-169"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mixed</source>
        <translation>混合</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&apos;{text}&apos; is not LABEL=agent or LABEL=customer (e.g. &apos;Speaker 2=agent&apos;)</source>
        <translation>“{text}”不是 LABEL=agent 或 LABEL=customer 的形式（例如“Speaker 2=agent”）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>show a call&apos;s transcript, or attach an existing transcript file</source>
        <translation>显示通话的转写文本，或附加已有的转写文件</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the call&apos;s transcript: utterances with speaker, times and words</source>
        <translation>通话的转写文本：每句话的说话人、时间和文字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>utterances with their words, as JSON</source>
        <translation>以 JSON 输出每句话及其词语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>attach transcript files (Vosk result JSON, SRT, WebVTT) to a call, replacing its transcript</source>
        <translation>将转写文件（Vosk 结果 JSON、SRT、WebVTT）附加到通话，替换其转写文本</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>one file with both speakers, or one file per speaker (name.agent.json, name.customer.json)</source>
        <translation>一个包含双方的文件，或每个说话人一个文件（name.agent.json、name.customer.json）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>who speaks in the file: every word of a Vosk result, every cue without a label</source>
        <translation>文件中的说话人：用于 Vosk 结果的每个词、每条没有标签的字幕</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>what a label in the file means, e.g. &apos;Speaker 2=agent&apos; or &apos;Li Na=agent&apos; (default: Speaker 1 is the agent); repeatable</source>
        <translation>文件中的标签代表谁，例如“Speaker 2=agent”或“Li Na=agent”（默认：Speaker 1 为坐席）；可重复使用</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>the database failed: {detail}</source>
        <translation>数据库出错：{detail}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>&apos;{key}&apos; names {count} calls (ids {ids}); give the id</source>
        <translation>“{key}”对应 {count} 个通话（编号 {ids}）；请给出编号</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no call &apos;{key}&apos; (give a call id or a recording&apos;s file name; &apos;qa-desk calls&apos; lists them)</source>
        <translation>没有通话“{key}”（请给出通话编号或录音文件名；“qa-desk calls”可列出通话）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>1 utterance</source>
        <translation>1 句话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} utterances</source>
        <translation>{n} 句话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>1 word</source>
        <translation>1 个词</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} words</source>
        <translation>{n} 个词</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>No transcript yet (&apos;qa-desk transcript import&apos; attaches one from a file)</source>
        <translation>尚无转写文本（“qa-desk transcript import”可从文件附加）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Transcript: {model} ({engine}), language {language}, {utterances}, {words}, {made}</source>
        <translation>转写文本：{model}（{engine}），语言 {language}，{utterances}，{words}，{made}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_models.py" line="-207"/>
        <source>installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloading</source>
        <translation>正在下载</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Checking</source>
        <translation>正在校验</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unpacking</source>
        <translation>正在解压</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Copying</source>
        <translation>正在复制</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>speech models for offline transcription (list, install, remove, …)</source>
        <translation>用于离线转写的语音模型（列出、安装、删除等）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>print the list as JSON</source>
        <translation>以 JSON 输出列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the model&apos;s name (as `qa-desk models list` shows it)</source>
        <translation>模型名称（即“qa-desk models list”显示的名称）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>installed and found models, with language, size and default</source>
        <translation>已安装和找到的模型，及其语言、大小和是否默认</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>install a model from a folder, a .zip, an http(s) URL or a published model&apos;s name</source>
        <translation>从文件夹、.zip、http(s) URL 或已发布模型的名称安装模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>folder, .zip, URL, or e.g. vosk-model-small-cn-0.22</source>
        <translation>文件夹、.zip、URL，或例如 vosk-model-small-cn-0.22</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>install under this name (default: the model&apos;s own)</source>
        <translation>以此名称安装（默认：模型自身的名称）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>replace an installed model of the same name</source>
        <translation>替换已安装的同名模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>remove a model installed by QA Desk</source>
        <translation>删除由 QA Desk 安装的模型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>make a model the default for its language</source>
        <translation>将模型设为其语言的默认模型</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the published Vosk models, with size and whether installed</source>
        <translation>已发布的 Vosk 模型，及其大小和是否已安装</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>use a newer copy of Vosk&apos;s model-list.json</source>
        <translation>使用较新的 Vosk model-list.json</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the model-list.json to use</source>
        <translation>要使用的 model-list.json</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>No speech models found. Install one, e.g.: qa-desk models install vosk-model-small-cn-0.22</source>
        <translation>未找到语音模型。请安装一个，例如：qa-desk models install vosk-model-small-cn-0.22</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Models folder: {folder}</source>
        <translation>模型文件夹：{folder}</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+128"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="-128"/>
        <location line="+128"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="-128"/>
        <location line="+128"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="-127"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Path</source>
        <translation>路径</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 model; models folder: {folder}</source>
        <translation>1 个模型；模型文件夹：{folder}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} models; models folder: {folder}</source>
        <translation>{n} 个模型；模型文件夹：{folder}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name} is now the default model for {language}</source>
        <translation>{name} 现已设为 {language} 的默认模型</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Removed {name} ({path})</source>
        <translation>已删除 {name}（{path}）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Working</source>
        <translation>正在处理</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>download stopped; the part already downloaded is kept and the same install command resumes it</source>
        <translation>下载已停止；已下载的部分会保留，再次运行同一安装命令即可继续</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Installed {name} ({language}, {size}) in {path}</source>
        <translation>已安装 {name}（{language}，{size}），位于 {path}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>It is the default model for {language}.</source>
        <translation>它是 {language} 的默认模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>To transcribe {language} calls with it: qa-desk models default {name}</source>
        <translation>要用它转写 {language} 通话：qa-desk models default {name}</translation>
    </message>
    <message>
        <location line="+14"/>
        <location filename="../../qa_desk/cli_transcripts.py" line="+10"/>
        <source>{path}: no such file</source>
        <translation>{path}：文件不存在</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model list updated from {file}: {count} models (kept in {kept})</source>
        <translation>已从 {file} 更新模型列表：{count} 个模型（保存在 {kept}）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source> (obsolete)</source>
        <translation>（已过时）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} published models (list: {file})</source>
        <translation>{count} 个已发布模型（列表：{file}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_transcripts.py" line="+6"/>
        <source>{problem} (nothing was stored)</source>
        <translation>{problem}（未保存任何内容）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Call {id} {file}: transcript attached from {files} ({model}, language {language}): {utterances} ({speakers}), {words}</source>
        <translation>通话 {id} {file}：已从 {files} 附加转写文本（{model}，语言 {language}）：{utterances}（{speakers}），{words}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_user.py" line="+31"/>
        <source>set QA_DESK_PASSWORD: there is no terminal to ask the password on</source>
        <translation>请设置 QA_DESK_PASSWORD：没有可以询问密码的终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password for {name}: </source>
        <translation>{name} 的密码：</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>a shared database needs --user NAME (and QA_DESK_PASSWORD or a password prompt)</source>
        <translation>共享数据库需要 --user NAME（以及 QA_DESK_PASSWORD 或密码提示）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>who runs the command on a shared database (password: QA_DESK_PASSWORD or a prompt); on a local file, the local user</source>
        <translation>在共享数据库上运行命令的用户（密码：QA_DESK_PASSWORD 或提示输入）；本机文件上为本机用户</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_users.py" line="-3"/>
        <source>users and roles: list, add, first admin, password, deactivate</source>
        <translation>用户和角色：列出、添加、首个管理员、密码、停用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>every user with role, password and last sign-in</source>
        <translation>所有用户及其角色、密码和上次登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the user&apos;s name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the first admin of a new shared database (only while it has none)</source>
        <translation>新共享数据库的首个管理员（仅在尚无管理员时）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a new user (admins only)</source>
        <translation>新用户（仅限管理员）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>what the user may do</source>
        <translation>用户的角色（可执行的操作）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>a local user (SQLite) who does not sign in</source>
        <translation>无需登录的本机用户（SQLite）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>set a user&apos;s password (an admin, or the user themself)</source>
        <translation>设置用户的密码（管理员或用户本人）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a user who may no longer sign in (their history stays)</source>
        <translation>不再允许登录的用户（其历史记录保留）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>set QA_DESK_NEW_PASSWORD: there is no terminal to ask the new password on</source>
        <translation>请设置 QA_DESK_NEW_PASSWORD：没有可以询问新密码的终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New password for {name}: </source>
        <translation>{name} 的新密码：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Again: </source>
        <translation>再输入一次：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the two passwords differ</source>
        <translation>两次输入的密码不一致</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>there is no user named {name}; &apos;qa-desk users list&apos; shows them</source>
        <translation>没有名为 {name} 的用户；“qa-desk users list”可列出所有用户</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{name} is the first admin; they can now sign in and add users</source>
        <translation>{name} 已成为首个管理员；现在可以登录并添加用户</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Added {name} ({role})</source>
        <translation>已添加 {name}（{role}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Password set for {name}</source>
        <translation>已为 {name} 设置密码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{name} can no longer sign in</source>
        <translation>{name} 已不能再登录</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>  (deactivated)</source>
        <translation>  （已停用）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>local</source>
        <translation>本机</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>last sign-in {when}</source>
        <translation>上次登录 {when}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 user</source>
        <translation>1 个用户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{n} users</source>
        <translation>{n} 个用户</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_flags.py" line="-9"/>
        <source>check transcribed calls against the service-language rulebook</source>
        <translation>按服务用语规则库检查已转写的通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>call ids or recording file names (default: every call not checked yet)</source>
        <translation>通话编号或录音文件名（默认：所有尚未检查的通话）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>check every transcribed call again</source>
        <translation>重新检查所有已转写的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rulebook file (default: the one chosen in Settings, else the shipped one for the call language)</source>
        <translation>规则库文件（默认：设置中选择的规则库，否则为与通话语言对应的内置规则库）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>per-call results as JSON</source>
        <translation>以 JSON 格式输出每个通话的结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a call&apos;s flags: what broke the service-language standard, where, and reviewers&apos; decisions</source>
        <translation>通话的标记：哪些内容违反了服务用语规范、出现在何处，以及质检员的处理结果</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>cannot read the rulebook {file}: {error}</source>
        <translation>无法读取规则库 {file}：{error}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the rulebook {file} is not valid:</source>
        <translation>规则库 {file} 无效：</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>{rulebook} (version {version}): {calls} call(s) checked, {findings} finding(s)</source>
        <translation>{rulebook}（版本 {version}）：已检查 {calls} 个通话，发现 {findings} 处问题</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>call {call}: {note}</source>
        <translation>通话 {call}：{note}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>call {call}: failed: {reason}</source>
        <translation>通话 {call}：失败：{reason}</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>call {call}: no flags</source>
        <translation>通话 {call}：没有标记</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{status} by {reviewer}</source>
        <translation>{status}（处理人：{reviewer}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> (stale)</source>
        <translation>（已过时）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_forms.py" line="-9"/>
        <source>evaluation forms: check a file, store forms, list them</source>
        <translation>质检表：检查文件、存储质检表、列出质检表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>validate a form file and summarise it</source>
        <translation>校验质检表文件并给出摘要</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>store form files (changed content becomes the next version)</source>
        <translation>存储质检表文件（内容有改动则成为下一版本）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the stored forms and their versions</source>
        <translation>已存储的质检表及其版本</translation>
    </message>
    <message>
        <location line="+26"/>
        <location line="+37"/>
        <location filename="../../qa_desk/cli_rules.py" line="-41"/>
        <source>{file}: no such file</source>
        <translation>{file}：文件不存在</translation>
    </message>
    <message>
        <location line="-28"/>
        <source>{file}: not a valid form ({count} problem)</source>
        <translation>{file}：不是有效的质检表（{count} 个问题）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{file}: not a valid form ({count} problems)</source>
        <translation>{file}：不是有效的质检表（{count} 个问题）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>weighted sections</source>
        <translation>按权重计分的板块</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+8"/>
        <source>{points} points</source>
        <translation>{points} 分</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>{name} ({key}, {language}): valid · {sections} sections, {items} items, {scored} · {critical} critical · {bonus} bonus · {rules} linked rules · version {version}</source>
        <translation>{name}（{key}，{language}）：有效 · {sections} 个板块，{items} 个评分项，{scored} · {critical} 个致命项 · {bonus} 个加分项 · {rules} 条关联规则 · 版本 {version}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{section}: {items} items, {size}</source>
        <translation>{section}：{items} 个评分项，{size}</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>{name} ({key}): version {version}</source>
        <translation>{name}（{key}）：版本 {version}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{file} was not stored:</source>
        <translation>{file} 未存储：</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>({count} older version)</source>
        <translation>（{count} 个旧版本）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>({count} older versions)</source>
        <translation>（{count} 个旧版本）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} evaluation</source>
        <translation>{count} 份评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} evaluations</source>
        <translation>{count} 份评估</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_review.py" line="-199"/>
        <source>who is acting (a lead or admin)</source>
        <translation>操作者（组长或管理员）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sampling rules: which calls go to which reviewer</source>
        <translation>抽样规则：哪些通话分配给哪位质检员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>list the sampling rules</source>
        <translation>列出抽样规则</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>also the deactivated ones</source>
        <translation>包括已停用的规则</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>add a rule from a JSON file</source>
        <translation>从 JSON 文件添加规则</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>replace the rule of that name if there is one</source>
        <translation>如已有同名规则则替换</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>run a rule for a period and queue the picked calls</source>
        <translation>对一个周期运行规则，并将抽中的通话加入队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the rule&apos;s name or id</source>
        <translation>规则名称或编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>2026-11, 2026-Q4, 2026-W44 or a..b</source>
        <translation>2026-11、2026-Q4、2026-W44 或 a..b</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>comma-separated reviewer names</source>
        <translation>质检员姓名，以逗号分隔</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>repeat a run (default: a new seed, stored)</source>
        <translation>重复某次运行（默认：使用新的随机种子并保存）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>show the picks, queue nothing</source>
        <translation>仅显示抽中的通话，不加入队列</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>review queues: a reviewer&apos;s calls, or the overview</source>
        <translation>质检队列：某位质检员的通话，或总览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>whose queue (default: the settings&apos; reviewer)</source>
        <translation>谁的队列（默认：设置中的质检员）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>per reviewer and per agent, for a lead</source>
        <translation>按质检员和按坐席汇总，供组长查看</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only what is due in the period (the overview&apos;s default: this month)</source>
        <translation>仅限在此周期内截止的通话（总览默认：本月）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>bad period &apos;{period}&apos;: {problem}</source>
        <translation>周期“{period}”有误：{problem}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>No sampling rules yet (qa-desk sample add FILE.json).</source>
        <translation>尚无抽样规则（qa-desk sample add FILE.json）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>per agent</source>
        <translation>每位坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>selection</source>
        <translation>抽取方式</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>filters</source>
        <translation>筛选条件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>active</source>
        <translation>已启用</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>teams {teams}</source>
        <translation>团队 {teams}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>queues {queues}</source>
        <translation>技能队列 {queues}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>≥ {seconds} s</source>
        <translation>≥ {seconds} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>new agents first</source>
        <translation>新坐席优先</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cap {calls}</source>
        <translation>上限 {calls}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{file}: not JSON ({problem})</source>
        <translation>{file}：不是 JSON（{problem}）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{problem} (use --replace)</source>
        <translation>{problem}（请使用 --replace）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sampling rule &apos;{name}&apos; saved (id {id}).</source>
        <translation>抽样规则“{name}”已保存（编号 {id}）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>--reviewers: name at least one reviewer</source>
        <translation>--reviewers：请至少指定一位质检员</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Would queue {count} calls for {period} by &apos;{rule}&apos; (seed {seed}; due {due}).</source>
        <translation>将按“{rule}”为 {period} 把 {count} 个通话加入队列（随机种子 {seed}；截止 {due}）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run {run} queued {count} calls for {period} by &apos;{rule}&apos; (seed {seed}; due {due}).</source>
        <translation>运行 {run} 已按“{rule}”为 {period} 把 {count} 个通话加入队列（随机种子 {seed}；截止 {due}）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+29"/>
        <source>why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>{reviewer}&apos;s queue is empty.</source>
        <translation>{reviewer} 的队列为空。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{reviewer}: {done} of {total} done.</source>
        <translation>{reviewer}：已完成 {done}/{total}。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>due</source>
        <translation>截止</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Review queues, {period}</source>
        <translation>质检队列，{period}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No calls queued per reviewer.</source>
        <translation>按质检员：队列中没有通话。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No calls queued per agent.</source>
        <translation>按坐席：队列中没有通话。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>assigned</source>
        <translation>已分配</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_rules.py" line="-30"/>
        <source>service-language rulebooks: check a file, test a sentence</source>
        <translation>服务用语规则库：检查文件、测试句子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>validate a rulebook file and summarise it</source>
        <translation>校验规则库文件并给出摘要</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>print the summary as JSON</source>
        <translation>以 JSON 格式输出摘要</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>which rules a sentence triggers, and why</source>
        <translation>一句话会触发哪些规则，以及原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>what was said, e.g. &apos;不知道，你自己查吧&apos;</source>
        <translation>说的话，例如“不知道，你自己查吧”</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rulebook file (default: the shipped zh-CN rulebook for Chinese text, else en)</source>
        <translation>规则库文件（默认：中文文本使用内置的 zh-CN 规则库，否则使用 en）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>who says it (default agent)</source>
        <translation>说话人（默认 agent）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>when in the call it is said (default 0): &apos;first N s&apos; rules depend on it</source>
        <translation>在通话中的什么时间说的（默认 0）：“前 N 秒”类规则取决于此</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>print the findings as JSON</source>
        <translation>以 JSON 格式输出检查结果</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{file}: cannot be read ({error})</source>
        <translation>{file}：无法读取（{error}）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{file}: not a valid rulebook ({count} problem)</source>
        <translation>{file}：不是有效的规则库（{count} 个问题）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{file}: not a valid rulebook ({count} problems)</source>
        <translation>{file}：不是有效的规则库（{count} 个问题）</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>{file}: valid rulebook</source>
        <translation>{file}：有效的规则库</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>key</source>
        <translation>标识</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>{speaker} at {seconds} s; rulebook {rulebook} {version}</source>
        <translation>{speaker}，第 {seconds} 秒；规则库 {rulebook} {version}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No rule fires on this text ({context}).</source>
        <translation>此文本未触发任何规则（{context}）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{count} rule match ({context}):</source>
        <translation>{count} 处规则匹配（{context}）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} rule matches ({context}):</source>
        <translation>{count} 处规则匹配（{context}）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{kind}, confidence {confidence}</source>
        <translation>{kind}，置信度 {confidence}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_scorecards.py" line="-34"/>
        <source>agent or team scorecards for a week, month, quarter or range</source>
        <translation>坐席或团队在一周、一月、一季度或某个日期范围内的评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>2026-10, 2026-Q4, 2026-W44 or 2026-10-01..2026-10-15 (default: this month)</source>
        <translation>2026-10、2026-Q4、2026-W44 或 2026-10-01..2026-10-15（默认：本月）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>only this team&apos;s agents</source>
        <translation>仅限此团队的坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>only evaluations on this form (any of its versions)</source>
        <translation>仅限使用此质检表（任一版本）的评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>evaluations per agent per month (default: the monitoring quota setting)</source>
        <translation>每位坐席每月的评估数（默认：设置中的质检配额）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>every figure, as JSON</source>
        <translation>以 JSON 格式输出全部数据</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>--quota must be 0 or more (0: no quota)</source>
        <translation>--quota 必须大于或等于 0（0：不设配额）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>no team &apos;{team}&apos;; teams: {known}</source>
        <translation>没有团队“{team}”；现有团队：{known}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>no form &apos;{form}&apos;; forms: {known}</source>
        <translation>没有质检表“{form}”；现有质检表：{known}</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Scorecard {period} (change against {previous})</source>
        <translation>评分卡 {period}（与 {previous} 相比的变化）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>, team {team}</source>
        <translation>，团队 {team}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>, form {form}</source>
        <translation>，质检表 {form}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No agents match.</source>
        <translation>没有符合条件的坐席。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>score %</source>
        <translation>得分 %</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>change</source>
        <translation>变化</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>critical failures</source>
        <translation>致命项不合格数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>behind</source>
        <translation>尚缺</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{behind} of {agents} agents behind the quota of {quota} a month</source>
        <translation>{behind}/{agents} 名坐席未达到每月 {quota} 份的质检配额</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> ({quota} in {period})</source>
        <translation>（{period} 内 {quota} 份）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/cli_transcribe.py" line="+32"/>
        <source>transcribe calls offline with Vosk (per speaker)</source>
        <translation>用 Vosk 离线转写通话（按说话人）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the calls&apos; ids</source>
        <translation>通话编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>every call not transcribed yet</source>
        <translation>所有尚未转写的通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>speech model (default: the default model for the language)</source>
        <translation>语音模型（默认：该语言的默认模型）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>language of the calls, e.g. zh, en (default: setting)</source>
        <translation>通话语言，例如 zh、en（默认：设置中的语言）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parallel decoders (default: setting, or one per core)</source>
        <translation>并行解码进程数（默认：设置中的数量，或每个 CPU 核心一个）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>transcribe again calls that have a transcript</source>
        <translation>重新转写已有转写文本的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>print the outcome as JSON</source>
        <translation>以 JSON 输出结果</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>serve the shared transcription queue (headless, for a team&apos;s database)</source>
        <translation>处理共享转写队列（无窗口，用于团队数据库）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>stop when the queue is empty instead of waiting for more</source>
        <translation>队列为空时停止，而不是继续等待</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>name the calls to transcribe (CALL_ID …) or use --pending</source>
        <translation>请指定要转写的通话（CALL_ID …）或使用 --pending</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>no such call: {ids}</source>
        <translation>通话不存在：{ids}</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+33"/>
        <source>call {id} ({file}): {reason}</source>
        <translation>通话 {id}（{file}）：{reason}</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>interrupted; unfinished calls cancelled</source>
        <translation>已中断；未完成的通话已取消</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{done} transcribed, {failed} failed, {cancelled} cancelled, {skipped} skipped</source>
        <translation>已转写 {done} 个，失败 {failed} 个，已取消 {cancelled} 个，已跳过 {skipped} 个</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>ETA {time}</source>
        <translation>预计剩余 {time}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{done}/{total} calls</source>
        <translation>{done}/{total} 个通话</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>call {id}: {status}</source>
        <translation>通话 {id}：{status}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>; {count} interrupted call(s) back in the queue</source>
        <translation>；{count} 个中断的通话已放回队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>qa-desk worker {name}: {workers} decoder(s) on {backend}</source>
        <translation>qa-desk 转写进程 {name}：{workers} 个解码进程，数据库 {backend}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>stopped; calls in hand went back to the queue</source>
        <translation>已停止；处理中的通话已放回队列</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{done} transcribed, {failed} failed</source>
        <translation>已转写 {done} 个，失败 {failed} 个</translation>
    </message>
</context>
<context>
    <name>Calibration</name>
    <message>
        <location filename="../../qa_desk/scoring/calibration.py" line="+155"/>
        <source>a reviewer without a name ({name!r}) in the calibration</source>
        <translation>校准中有一位质检员没有名字（{name!r}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>reviewer {name} has two answer sheets in the calibration</source>
        <translation>质检员 {name} 在校准中有两份答卷</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a calibration needs at least one reviewer&apos;s answers</source>
        <translation>校准至少需要一位质检员的答案</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the reference reviewer {name} has no answers in the calibration (reviewers: {reviewers})</source>
        <translation>基准质检员 {name} 在校准中没有答案（质检员：{reviewers}）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>reviewer {name}: {problem}</source>
        <translation>质检员 {name}：{problem}</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>calibration of call {call} on form {form} has no date: a report over time needs the day it was held</source>
        <translation>通话 {call} 按质检表 {form} 进行的校准没有日期：按时间统计的报告需要知道校准是哪天进行的</translation>
    </message>
</context>
<context>
    <name>CalibrationPage</name>
    <message>
        <location filename="../../qa_desk/ui/calibration_page.py" line="+70"/>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+42"/>
        <source>New session…</source>
        <translation>新建校准会…</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>Close session</source>
        <translation>结束校准会</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No new sheets after closing; every participant then sees the results</source>
        <translation>结束后不再接受新的评分表；届时所有参与者均可查看结果</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export report…</source>
        <translation>导出报告…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every reviewer&apos;s deviation and agreement rate, with each session&apos;s results, as an Excel workbook</source>
        <translation>以 Excel 工作簿导出每位质检员的偏差和一致率，以及每场校准会的结果</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>In a calibration session, reviewers score the same calls blind, then compare their scores to agree on how the form is read.</source>
        <translation>在校准会中，质检员以盲评方式为同一批通话评分，再比较各自的得分，从而对质检表的理解达成一致。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign in to see calibration sessions.</source>
        <translation>请登录以查看校准会。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nobody is signed in</source>
        <translation>尚未登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No calibration sessions yet</source>
        <translation>尚无校准会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start one with New session…: a form, a few calls (their ids are shown in Calls) and the reviewers to invite.</source>
        <translation>点击“新建校准会…”发起一场：选择质检表、几通通话（通话编号见“通话”）以及要邀请的质检员。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No calibration sessions for you yet</source>
        <translation>暂无邀请您参加的校准会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A team lead starts the sessions and invites reviewers; the ones you are invited to appear here, for you to score each call on your own sheet.</source>
        <translation>校准会由组长发起并邀请质检员；邀请您参加的校准会会出现在这里，您在自己的评分表上为每通通话评分。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Calibration is for reviewers and team leads</source>
        <translation>校准供质检员和组长使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Team leads start the sessions and invite reviewers; your role takes no part in them.</source>
        <translation>校准会由组长发起并邀请质检员参加；您的角色不参与校准会。</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>you: {0} of {1} calls</source>
        <translation>您：{0} / {1} 通</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} of {1} sheets</source>
        <translation>{0} / {1} 份评分表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location line="+109"/>
        <source>Export calibration report</source>
        <translation>导出校准报告</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Exporting the calibration report to {0}…</source>
        <translation>正在将校准报告导出到 {0}…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The calibration report was not exported: {0}</source>
        <translation>校准报告未导出：{0}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The export was cancelled; nothing was written.</source>
        <translation>导出已取消；未写入任何文件。</translation>
    </message>
</context>
<context>
    <name>CalibrationResults</name>
    <message>
        <location filename="../../qa_desk/ui/calibration_results.py" line="+73"/>
        <location line="+123"/>
        <source>Score this call</source>
        <translation>为此通话评分</translation>
    </message>
    <message>
        <location line="-119"/>
        <source>Call:</source>
        <translation>通话：</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>No calibration session selected</source>
        <translation>未选择校准会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pick a session on the left, or start a new one.</source>
        <translation>请在左侧选择一个校准会，或新建一个。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the median of the scores</source>
        <translation>得分中位数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0}&apos;s sheet</source>
        <translation>{0} 的评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>closed</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} v{1} · reference: {2} · started by {3} · {4} · scored {5} of {6}</source>
        <translation>{0} v{1} · 基准：{2} · 发起人：{3} · {4} · 已评分 {5}/{6}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>not scored by you</source>
        <translation>您尚未评分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>you submitted</source>
        <translation>您已提交</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>your draft</source>
        <translation>您的草稿</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} of {1} submitted</source>
        <translation>已提交 {0}/{1}</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>nobody yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Scoring is blind: you see the others&apos; scores on this call once you have submitted your own. Submitted so far: {0}</source>
        <translation>盲评模式：您提交自己的评分后，才能看到其他人对此通话的评分。目前已提交：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nobody has submitted a sheet on this call yet.</source>
        <translation>尚无人提交此通话的评分。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> The reference has not submitted yet: the scores are compared with the median for now.</source>
        <translation>基准评分尚未提交：目前暂与中位数进行比较。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Submitted: {0}.</source>
        <translation>已提交：{0}。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>View my sheet</source>
        <translation>查看我的评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue scoring</source>
        <translation>继续评分</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>partial</source>
        <translation>部分符合</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>N/A</source>
        <translation>不适用</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Item</source>
        <translation>评分项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reference</source>
        <translation>基准</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agreement</source>
        <translation>一致率</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Deviation (points)</source>
        <translation>偏差（分）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Items differing</source>
        <translation>不一致评分项</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Mean item agreement</source>
        <translation>评分项平均一致率</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Differs from the reference</source>
        <translation>与基准不一致</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>contested</source>
        <translation>有争议</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>★ reference: {0} ({1}) · spread {2} – {3} (range {4} points, standard deviation {5}) · mean item agreement {6}</source>
        <translation>★ 基准：{0}（{1}）· 离散度 {2} – {3}（极差 {4} 分，标准差 {5}）· 评分项平均一致率 {6}</translation>
    </message>
</context>
<context>
    <name>CalibrationStartDialog</name>
    <message>
        <location filename="../../qa_desk/ui/calibration_start_dialog.py" line="+72"/>
        <source>New calibration session</source>
        <translation>新建校准会</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>e.g. November calibration, complaints queue</source>
        <translation>例如：11月校准、投诉技能队列</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>call ids, e.g. 12, 15, 31</source>
        <translation>通话编号，例如 12, 15, 31</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>other reviewers&apos; names, separated by commas</source>
        <translation>其他质检员的姓名，以逗号分隔</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>My own sheet (I score the calls too)</source>
        <translation>我自己的评分（我也为这些通话评分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An expert&apos;s sheet</source>
        <translation>专家的评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The median of the scores</source>
        <translation>得分中位数</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Form</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calls</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Reviewers</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reference</source>
        <translation>基准</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expert</source>
        <translation>专家</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start session</source>
        <translation>开始校准会</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>&apos;{0}&apos; is not a call id</source>
        <translation>“{0}”不是通话编号</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>There is no form to calibrate on</source>
        <translation>没有可用于校准的质检表</translation>
    </message>
</context>
<context>
    <name>CallClips</name>
    <message>
        <location filename="../../qa_desk/ui/call_clips.py" line="+48"/>
        <location line="+92"/>
        <source>Save as clip…</source>
        <translation>保存为片段…</translation>
    </message>
    <message>
        <location line="-90"/>
        <source>Keep the selected span as a training clip</source>
        <translation>将选中的时间范围保存为培训片段</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save this call&apos;s transcript as TXT, SRT, WebVTT or JSON</source>
        <translation>将本通话的转写文本保存为 TXT、SRT、WebVTT 或 JSON</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+62"/>
        <source>Export transcript…</source>
        <translation>导出转写文本…</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>Export transcript, anonymised…</source>
        <translation>导出转写文本（匿名化）…</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Saved the clip “{0}” ({1}); find it in Clips.</source>
        <translation>已保存片段“{0}”（{1}），可在“片段”中查看。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Save selected lines as clip…</source>
        <translation>将选中的行保存为片段…</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Text (*.txt)</source>
        <translation>文本 (*.txt)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SubRip subtitles (*.srt)</source>
        <translation>SubRip 字幕 (*.srt)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>WebVTT subtitles (*.vtt)</source>
        <translation>WebVTT 字幕 (*.vtt)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export transcript</source>
        <translation>导出转写文本</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Transcript saved to {0}</source>
        <translation>转写文本已保存至 {0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The transcript was not saved: {0}</source>
        <translation>转写文本未保存：{0}</translation>
    </message>
</context>
<context>
    <name>CallFilterBar</name>
    <message>
        <location filename="../../qa_desk/ui/call_filter_bar.py" line="+74"/>
        <location line="+7"/>
        <source>All agents</source>
        <translation>所有坐席</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>All teams</source>
        <translation>所有团队</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Any time</source>
        <translation>不限时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Search file, agent, customer, queue…</source>
        <translation>搜索文件、坐席、客户、技能队列…</translation>
    </message>
</context>
<context>
    <name>CallHeader</name>
    <message>
        <location filename="../../qa_desk/ui/call_header.py" line="+68"/>
        <source>Talk time</source>
        <translation>说话时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Talk-to-listen</source>
        <translation>说听比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Longest silence</source>
        <translation>最长静默</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Holds</source>
        <translation>通话保持</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overtalk</source>
        <translation>抢话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent&apos;s first words</source>
        <translation>坐席首次开口</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Unknown agent</source>
        <translation>未知坐席</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+65"/>
        <source>{0} ({1})</source>
        <translation>{0}（{1}）</translation>
    </message>
    <message>
        <location line="-61"/>
        <source>start unknown</source>
        <translation>开始时间未知</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mono</source>
        <translation>单声道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stereo</source>
        <translation>立体声</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} channels</source>
        <translation>{0} 声道</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} kHz</source>
        <translation>{0} kHz</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No team</source>
        <translation>无团队</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{0}, {1}</source>
        <translation>{0}，{1}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>inbound</source>
        <translation>呼入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>outbound</source>
        <translation>呼出</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>customer {0}</source>
        <translation>客户 {0}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Measuring talk, silence and overtalk…</source>
        <translation>正在测量说话、静默和抢话…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Metrics unavailable: {0}</source>
        <translation>指标不可用：{0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>speech</source>
        <translation>语音</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{0} {1}</source>
        <translation>{0} {1}</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+14"/>
        <source>n/a (mono)</source>
        <translation>不适用（单声道）</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>{0} ({1} in total)</source>
        <translation>{0} 次（共 {1}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+10"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{0} started {1}</source>
        <translation>{0}发起 {1} 次</translation>
    </message>
</context>
<context>
    <name>CallView</name>
    <message>
        <location filename="../../qa_desk/ui/call_view.py" line="+89"/>
        <location line="+342"/>
        <source>← Back to calls</source>
        <translation>← 返回通话库</translation>
    </message>
    <message>
        <location line="-340"/>
        <location line="+341"/>
        <source>Back to the call library (Alt+Left)</source>
        <translation>返回通话库（Alt+Left）</translation>
    </message>
    <message>
        <location line="-324"/>
        <location line="+451"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="-450"/>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Click to jump · drag to select · wheel to zoom · Shift+wheel to scroll</source>
        <translation>单击跳转 · 拖动选择 · 滚轮缩放 · Shift+滚轮滚动</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Zoom out (Ctrl+-)</source>
        <translation>缩小（Ctrl+-）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in (Ctrl+=)</source>
        <translation>放大（Ctrl+=）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Whole call</source>
        <translation>整个通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the whole call (Ctrl+0)</source>
        <translation>显示整个通话（Ctrl+0）</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>Opening call…</source>
        <translation>正在打开通话…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Drawing waveform…</source>
        <translation>正在绘制波形…</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>This call is no longer in the library</source>
        <translation>此通话已不在通话库中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no call</source>
        <translation>无通话</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Opened call {0}: {1}</source>
        <translation>已打开通话 {0}：{1}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The recording is missing: {0}</source>
        <translation>录音缺失：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the recording is missing</source>
        <translation>录音缺失</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Could not read the new transcript: {0}</source>
        <translation>无法读取新的转写文本：{0}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The call could not be opened</source>
        <translation>无法打开该通话</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Drawing waveform… {0}%</source>
        <translation>正在绘制波形… {0}%</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not draw the waveform: {0}</source>
        <translation>无法绘制波形：{0}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>This recording cannot be played: {0}</source>
        <translation>无法播放此录音：{0}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>← Back to %1</source>
        <translation>← 返回%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to %1 (Alt+Left)</source>
        <translation>返回%1（Alt+Left）</translation>
    </message>
    <message>
        <location line="+124"/>
        <source>Flags ({0})</source>
        <translation>标记（{0}）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>This flag has no place in the call: {0}</source>
        <translation>此标记在通话中没有对应位置：{0}</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Selected {0}–{1} ({2} s)</source>
        <translation>已选择 {0}–{1}（{2} 秒）</translation>
    </message>
</context>
<context>
    <name>CallsPage</name>
    <message>
        <location filename="../../qa_desk/ui/calls_page.py" line="+89"/>
        <source>No calls match these filters</source>
        <translation>没有符合筛选条件的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try another agent, team or period, or clear the search text.</source>
        <translation>请尝试其他坐席、团队或周期，或清空搜索文本。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Welcome to QA Desk</source>
        <translation>欢迎使用 QA Desk</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your call library is empty. Import the recordings exported by your call recorder (a folder of WAV, FLAC or MP3 files, with their metadata sheet if you have one), or load four sample calls to look around first. To transcribe calls, install a speech model for their language; a team that shares one database connects to it instead.</source>
        <translation>您的通话库为空。请导入录音系统导出的录音（一个包含 WAV、FLAC 或 MP3 文件的文件夹，如有元数据表请一并导入），或先加载四条示例通话熟悉一下。如需转写通话，请安装与通话语言相应的语音模型；团队共用一个数据库时，请直接连接该数据库。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import recordings…</source>
        <translation>导入录音…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load sample calls</source>
        <translation>加载示例通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Install a speech model…</source>
        <translation>安装语音模型…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect to a team database…</source>
        <translation>连接团队数据库…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Transcripts…</source>
        <translation>转写文本…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search what was said in the calls: every call where a word or phrase was said (Ctrl+Shift+F)</source>
        <translation>搜索通话中说过的内容：查找说过某个词或短语的所有通话（Ctrl+Shift+F）</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Transcribe selected calls</source>
        <translation>转写所选通话</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Transcribe all pending</source>
        <translation>转写所有待转写通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every call not yet transcribed nor waiting in the queue</source>
        <translation>所有尚未转写且未在队列中等待的通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Transcribe again (replace transcript)</source>
        <translation>重新转写（替换转写文本）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Transcribe</source>
        <translation>转写</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Transcribe the selected call</source>
        <translation>转写所选通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcribe the {0} selected calls</source>
        <translation>转写所选的 {0} 个通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcribe every call not transcribed yet (select calls to transcribe only those)</source>
        <translation>转写所有尚未转写的通话（如需只转写部分通话，请先选中）</translation>
    </message>
    <message>
        <location line="+97"/>
        <source>1 call</source>
        <translation>1 个通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{0} calls</source>
        <translation>{0} 个通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} of {1} calls</source>
        <translation>{0} / {1} 个通话</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Could not load calls</source>
        <translation>无法加载通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Could not load the calls: {0}</source>
        <translation>无法加载通话：{0}</translation>
    </message>
</context>
<context>
    <name>CallsTableModel</name>
    <message>
        <location filename="../../qa_desk/ui/calls_model.py" line="+76"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start time</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Direction</source>
        <translation>呼叫方向</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue</source>
        <translation>技能队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcript</source>
        <translation>转写文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Inbound</source>
        <translation>呼入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outbound</source>
        <translation>呼出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcribed</source>
        <translation>已转写</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reviewed</source>
        <translation>已质检</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcribing</source>
        <translation>转写中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>ChartPanel</name>
    <message>
        <location filename="../../qa_desk/ui/trend_charts.py" line="+108"/>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save this chart as a PNG image</source>
        <translation>将此图表保存为 PNG 图片</translation>
    </message>
    <message>
        <location line="+136"/>
        <location line="+9"/>
        <source>Export chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The chart could not be saved to {0}. Check that the folder exists and can be written to.</source>
        <translation>无法将图表保存到 {0}。请检查该文件夹是否存在且可写入。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Chart saved to {0}</source>
        <translation>图表已保存到 {0}</translation>
    </message>
</context>
<context>
    <name>ClipDialog</name>
    <message>
        <location filename="../../qa_desk/ui/clip_dialog.py" line="+100"/>
        <source>Edit clip</source>
        <translation>编辑片段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Save as clip</source>
        <translation>保存为片段</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>What the moment shows, e.g. 主动致歉并说明原因</source>
        <translation>这一刻体现了什么，例如：主动致歉并说明原因</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Tags, separated by commas</source>
        <translation>标签，以逗号分隔</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>What to listen for, what to say instead…</source>
        <translation>应注意听什么、应该怎么说…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Snap to word boundaries</source>
        <translation>对齐到词语边界</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This call has no transcript with word times</source>
        <translation>本通话没有带词级时间的转写文本</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Pre-roll</source>
        <translation>前置时长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Post-roll</source>
        <translation>后置时长</translation>
    </message>
    <message>
        <location line="+13"/>
        <location line="+173"/>
        <source>Save changes</source>
        <translation>保存更改</translation>
    </message>
    <message>
        <location line="-173"/>
        <location line="+173"/>
        <source>Save clip</source>
        <translation>保存片段</translation>
    </message>
    <message>
        <location line="-172"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Span</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Said</source>
        <translation>原话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Illustrates</source>
        <translation>对应质检内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+21"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A little of the call before (after) the span, heard but not part of the clip</source>
        <translation>时间范围之前（之后）的一小段通话，会播放但不属于片段</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>{0}, snapped to whole words</source>
        <translation>{0}，已对齐到完整词语</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Heard with the roll: {0}–{1}</source>
        <translation>含前后置时长的播放范围：{0}–{1}</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Used most: {0}</source>
        <translation>最常用：{0}</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The clip was not saved: {0}</source>
        <translation>片段未保存：{0}</translation>
    </message>
</context>
<context>
    <name>ClipExportDialog</name>
    <message>
        <location filename="../../qa_desk/ui/clip_export_dialog.py" line="+49"/>
        <source>Export playlist</source>
        <translation>导出播放列表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export clip</source>
        <translation>导出片段</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Playlist “{0}”: every clip in its order, with an index page and workbook.</source>
        <translation>播放列表“{0}”：按顺序导出其中所有片段，并附带索引页和工作簿。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clip “{0}”</source>
        <translation>片段“{0}”</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Anonymise: the agent&apos;s name becomes a label, numbers read out are hidden</source>
        <translation>匿名化：坐席姓名替换为代号，隐藏通话中读出的号码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Beep</source>
        <translation>蜂鸣音</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Silence</source>
        <translation>静音</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>A new folder</source>
        <translation>新文件夹</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>One zip file</source>
        <translation>单个 zip 文件</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Show files</source>
        <translation>显示文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+83"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="-79"/>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hide numbers with</source>
        <translation>号码遮蔽方式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save as</source>
        <translation>保存为</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where</source>
        <translation>保存位置</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Export to zip file</source>
        <translation>导出为 zip 文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zip files (*.zip)</source>
        <translation>Zip 文件 (*.zip)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export into folder</source>
        <translation>导出到文件夹</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Exported {0} clip(s) to {1}</source>
        <translation>已将 {0} 个片段导出到 {1}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Anonymised; {0} number(s) hidden.</source>
        <translation>已匿名化；隐藏了 {0} 个号码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not exported: {0}</source>
        <translation>未导出：{0}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Nothing was exported: {0}</source>
        <translation>未导出任何内容：{0}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The export was cancelled; nothing was written.</source>
        <translation>导出已取消；未写入任何文件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
</context>
<context>
    <name>ClipFilterBar</name>
    <message>
        <location filename="../../qa_desk/ui/clip_filters.py" line="+79"/>
        <source>Search titles, notes, tags and what was said…</source>
        <translation>搜索标题、备注、标签和说话内容…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All tags</source>
        <translation>全部标签</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All agents</source>
        <translation>全部坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All teams</source>
        <translation>全部团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any form section</source>
        <translation>全部质检表板块</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Calls of any date</source>
        <translation>不限通话日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>{0} ({1})</source>
        <translation>{0}（{1}）</translation>
    </message>
</context>
<context>
    <name>ClipPlayer</name>
    <message>
        <location filename="../../qa_desk/ui/clip_player.py" line="+80"/>
        <source>What is said</source>
        <translation>说话内容</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+217"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location line="-211"/>
        <source>Next clip</source>
        <translation>下一个片段</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Choose a clip to hear it here.</source>
        <translation>选择一个片段即可在此收听。</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Loading clip…</source>
        <translation>正在加载片段…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drawing waveform…</source>
        <translation>正在绘制波形…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>from the call</source>
        <translation>摘自通话</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No words were recognised in this clip.</source>
        <translation>此片段中未识别出任何文字。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The call of this clip was deleted: the clip plays, but its start and end can no longer move</source>
        <translation>此片段所属的通话已被删除：片段仍可播放，但无法再调整其起止位置</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This clip could not be opened</source>
        <translation>无法打开此片段</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>This clip cannot be played here: {0}</source>
        <translation>无法在此播放此片段：{0}</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The playlist has been played through.</source>
        <translation>播放列表已全部播放完毕。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{0}: clip {1} of {2}</source>
        <translation>{0}：第 {1} / {2} 个片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Playlist</source>
        <translation>播放列表</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>The clip now runs {0}.</source>
        <translation>片段范围已调整为 {0}。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The clip was not moved: {0}</source>
        <translation>片段范围未调整：{0}</translation>
    </message>
</context>
<context>
    <name>Clips</name>
    <message>
        <location filename="../../qa_desk/ui/clip_words.py" line="+24"/>
        <source>Good example</source>
        <translation>优秀示例</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Needs improvement</source>
        <translation>待改进</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{0}–{1} ({2} s)</source>
        <translation>{0}–{1}（{2} 秒）</translation>
    </message>
</context>
<context>
    <name>ClipsModel</name>
    <message>
        <location filename="../../qa_desk/ui/clips_page.py" line="+43"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Call date</source>
        <translation>通话日期</translation>
    </message>
</context>
<context>
    <name>ClipsPage</name>
    <message>
        <location line="+126"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open call</source>
        <translation>打开通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+121"/>
        <source>{0} of {1} clips</source>
        <translation>{0} / {1} 个片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} clips</source>
        <translation>{0} 个片段</translation>
    </message>
    <message>
        <location line="-136"/>
        <source>Show every clip</source>
        <translation>显示全部片段</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Go to Calls</source>
        <translation>前往“通话”</translation>
    </message>
    <message>
        <location line="+153"/>
        <source>No clip matches these filters</source>
        <translation>没有符合这些筛选条件的片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try other words, tags or dates, or show every clip.</source>
        <translation>请尝试其他词语、标签或日期，或显示全部片段。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No clips yet</source>
        <translation>尚无片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clips are moments of calls kept for training: good examples and moments to improve.</source>
        <translation>片段是保存下来用于培训的通话片刻：优秀示例和有待改进之处。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Trainers save them from calls; they appear here for everyone to play.</source>
        <translation>片段由培训师从通话中保存；保存后会显示在这里，供所有人播放。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a call, drag across its waveform (or pick a flag, or select transcript lines) and choose “Save as clip…”.</source>
        <translation>打开一通通话，在波形上拖选一段（或选择一个标记，或选中几行转写文本），然后选择“保存为片段…”。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>There are no calls yet: import recordings in Calls first, then save moments of them with “Save as clip…”.</source>
        <translation>目前还没有通话：请先在“通话”中导入录音，再用“保存为片段…”保存其中的片刻。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Clips: {0}</source>
        <translation>片段：{0}</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Only a trainer or an admin changes the training library</source>
        <translation>仅培训师或管理员可更改培训库</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only a trainer, a manager or an admin exports clips</source>
        <translation>仅培训师、经理或管理员可导出片段</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The call of this clip was deleted</source>
        <translation>此片段所属的通话已被删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the call at this clip</source>
        <translation>打开通话并定位到此片段</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Delete clip</source>
        <translation>删除片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the clip “{0}”? It also leaves every playlist it is in.</source>
        <translation>确定删除片段“{0}”吗？它也将从所在的所有播放列表中移除。</translation>
    </message>
</context>
<context>
    <name>ColumnMappingEditor</name>
    <message>
        <location filename="../../qa_desk/ui/column_mapping.py" line="+75"/>
        <source>File name</source>
        <translation>文件名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent name</source>
        <translation>坐席姓名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent ID</source>
        <translation>工号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start time</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Direction</source>
        <translation>呼叫方向</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue</source>
        <translation>技能队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer number</source>
        <translation>客户号码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Inbound</source>
        <translation>呼入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outbound</source>
        <translation>呼出</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{0}:</source>
        <translation>{0}：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose the column that holds the recording&apos;s file name.</source>
        <translation>请选择包含录音文件名的列。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Remember these columns for next time</source>
        <translation>下次记住这些列</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>The metadata sheet&apos;s columns are still being read; try again in a moment.</source>
        <translation>仍在读取元数据表的列，请稍后再试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose which column of the metadata sheet holds the recording&apos;s file name.</source>
        <translation>请选择元数据表中包含录音文件名的列。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>(not in the sheet)</source>
        <translation>（表中没有）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>e.g. {0}</source>
        <translation>例如 {0}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reading the sheet&apos;s columns…</source>
        <translation>正在读取表格的列…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Which column holds each call detail? Recognised columns are chosen already.</source>
        <translation>各项通话信息分别在哪一列？已识别的列已自动选好。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>The first rows, as the import will read them:</source>
        <translation>前几行（按导入时的读取方式显示）：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The sheet has no rows to import under its header.</source>
        <translation>表格的标题行下没有可导入的行。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Column “{0}”</source>
        <translation>列“{0}”</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Row {0}: {1}</source>
        <translation>第 {0} 行：{1}</translation>
    </message>
</context>
<context>
    <name>Demo</name>
    <message>
        <location filename="../../qa_desk/demo.py" line="+192"/>
        <source>Reading the sample recordings…</source>
        <translation>正在读取示例录音…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Building the demo centre…</source>
        <translation>正在构建演示中心…</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Cutting training clips…</source>
        <translation>正在剪辑培训片段…</translation>
    </message>
</context>
<context>
    <name>DemoCentre</name>
    <message>
        <location filename="../../qa_desk/ui/demo_offer.py" line="+23"/>
        <source>Demo centre ready: {0} teams, {1} agents, {2} calls, {3} evaluations, {4} flags.</source>
        <translation>演示中心已就绪：{0} 个团队，{1} 名坐席，{2} 通通话，{3} 份评估，{4} 条标记。</translation>
    </message>
    <message>
        <location line="+85"/>
        <location line="+24"/>
        <location line="+37"/>
        <source>Demo centre</source>
        <translation>演示中心</translation>
    </message>
    <message>
        <location line="-60"/>
        <source>Also fill a demo centre with teams, agents and months of evaluations?</source>
        <translation>是否同时创建一个演示中心，包含团队、坐席和数月的评估？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>QA Desk adds teams of agents and six months of their calls (the sample recordings reused), with flags and evaluations, so that the library, scorecards and trends have something to show. Use it to look around; keep your real calls in a database of their own.</source>
        <translation>QA Desk 会添加若干坐席团队及其六个月的通话（重复使用示例录音），并附带标记和评估，让通话库、评分卡和趋势图都有内容可看。仅供浏览体验；请将真实通话保存在单独的数据库中。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Building the demo centre…</source>
        <translation>正在创建演示中心…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Building the demo centre: call {0} of {1}…</source>
        <translation>正在创建演示中心：第 {0} 通，共 {1} 通…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The demo centre could not be built.</source>
        <translation>无法创建演示中心。</translation>
    </message>
</context>
<context>
    <name>DismissDialog</name>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="+313"/>
        <source>Dismiss flag</source>
        <translation>驳回标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why is this flag wrong? A reason is required.</source>
        <translation>此标记为何有误？必须填写原因。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dismiss</source>
        <translation>驳回</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The customer said it, not the agent</source>
        <translation>是客户说的，不是坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speech recognition error: not what was said</source>
        <translation>语音识别错误：实际并未这样说</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Said politely here, not what the rule means</source>
        <translation>此处为礼貌表达，并非规则所指的含义</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Does not apply to this call</source>
        <translation>不适用于本通话</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Common reasons:</source>
        <translation>常用原因：</translation>
    </message>
</context>
<context>
    <name>DistributionChart</name>
    <message>
        <location filename="../../qa_desk/ui/team_view.py" line="+125"/>
        <source>Distribution of scores</source>
        <translation>得分分布</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score %</source>
        <translation>得分 %</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluations</source>
        <translation>评估数</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No scores in this period.</source>
        <translation>本周期没有得分。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{0}: {1} evaluations ({2})</source>
        <translation>{0}：{1} 份评估（{2}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{0} evaluations</source>
        <translation>{0} 份评估</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../qa_desk/permissions.py" line="+93"/>
        <location filename="../../qa_desk/store/users.py" line="+102"/>
        <source>Unknown role &apos;{role}&apos;: use one of {roles}.</source>
        <translation>未知角色“{role}”：请使用 {roles} 之一。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A user needs a name.</source>
        <translation>用户需要姓名。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/form_schema.py" line="+59"/>
        <source>&apos;{key}&apos; is written twice (keep one)</source>
        <translation>“{key}”写了两次（请保留一个）</translation>
    </message>
    <message>
        <location line="+4"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="+182"/>
        <location filename="../../qa_desk/scoring/rulebook.py" line="+185"/>
        <source>unknown field &apos;{key}&apos;{hint}</source>
        <translation>未知字段“{key}”{hint}</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+108"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="-90"/>
        <location line="+56"/>
        <location filename="../../qa_desk/scoring/rulebook.py" line="+5"/>
        <source>{field} is missing</source>
        <translation>缺少 {field}</translation>
    </message>
    <message>
        <location line="-103"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="-53"/>
        <source>{field} must be non-empty text</source>
        <translation>{field} 必须是非空文本</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{field} &apos;{value}&apos; must be letters, digits, &apos;-&apos;, &apos;_&apos; or &apos;.&apos;</source>
        <translation>{field}“{value}”只能包含字母、数字、“-”、“_”或“.”</translation>
    </message>
    <message>
        <location line="+10"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="+11"/>
        <location line="+156"/>
        <source>{field} &apos;{value}&apos; is not one of {choices}{hint}</source>
        <translation>{field}“{value}”不是 {choices} 之一{hint}</translation>
    </message>
    <message>
        <location line="+14"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="-125"/>
        <source>a whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="+0"/>
        <source>a number</source>
        <translation>数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="+2"/>
        <source>{field} must be {kind} {range}, not {value}</source>
        <translation>{field} 必须是{kind}（{range}），而不是 {value}</translation>
    </message>
    <message>
        <location line="+8"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="+101"/>
        <source>{field} must be true or false, not {value}</source>
        <translation>{field} 必须是 true 或 false，而不是 {value}</translation>
    </message>
    <message>
        <location line="+9"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="-102"/>
        <source>{low} or more</source>
        <translation>不小于 {low}</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="+0"/>
        <source>more than {low}</source>
        <translation>大于 {low}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{low} or more and at most {high}</source>
        <translation>不小于 {low} 且不大于 {high}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>more than {low} and at most {high}</source>
        <translation>大于 {low} 且不大于 {high}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>section key &apos;{key}&apos; is already used at line {line} (each key must be unique)</source>
        <translation>板块键“{key}”已在第 {line} 行使用（每个键必须唯一）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>section key &apos;{key}&apos; is already used (each key must be unique)</source>
        <translation>板块键“{key}”已被使用（每个键必须唯一）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>item key &apos;{key}&apos; is already used at line {line} (each key must be unique)</source>
        <translation>评分项键“{key}”已在第 {line} 行使用（每个键必须唯一）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>item key &apos;{key}&apos; is already used (each key must be unique)</source>
        <translation>评分项键“{key}”已被使用（每个键必须唯一）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>a scale answer needs scale: N (answers 0..N, N from 1 to {max})</source>
        <translation>量表题需要 scale: N（答案为 0..N，N 取 1 到 {max}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>scale is only for answer: scale (this item&apos;s answer is {answer})</source>
        <translation>scale 仅用于 answer: scale（此评分项的 answer 为 {answer}）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>partial must be less than 1 (a partial answer earns less than yes)</source>
        <translation>partial 必须小于 1（部分符合的得分低于符合）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>partial is only for answer: yes_partial_no (this item&apos;s answer is {answer})</source>
        <translation>partial 仅用于 answer: yes_partial_no（此评分项的 answer 为 {answer}）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>a bonus item cannot be critical (it only ever adds points)</source>
        <translation>加分项不能是致命项（它只会加分）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>rules must be a list of rule ids, e.g. rules: [zh-greeting-01]</source>
        <translation>rules 必须是规则编号列表，例如 rules: [zh-greeting-01]</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>no rulebook has a rule &apos;{rule}&apos;{hint}</source>
        <translation>没有规则库包含规则“{rule}”{hint}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>a section has points or a weight, not both</source>
        <translation>板块只能设置 points 或 weight，不能同时设置</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>items is missing: a section needs a list of items</source>
        <translation>缺少 items：板块需要一个评分项列表</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>a section needs at least one item that is not a bonus</source>
        <translation>板块至少需要一个非加分的评分项</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the items&apos; points add up to {sum}, not the section&apos;s {points}</source>
        <translation>评分项分值合计为 {sum}，与板块的 {points} 不符</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>bonus_cap without a bonus item: nothing could use it</source>
        <translation>设置了 bonus_cap 但没有加分项：它不会起作用</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>section {key}</source>
        <translation>板块 {key}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>section #{number}</source>
        <translation>板块 #{number}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>item {key}</source>
        <translation>评分项 {key}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{section}, item #{number}</source>
        <translation>{section}，评分项 #{number}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>item #{number}</source>
        <translation>评分项 #{number}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>section #{number} must be a mapping (key, title, points or weight, items)</source>
        <translation>板块 #{number} 必须是映射（key、title、points 或 weight、items）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>item #{number} must be a mapping (key, question, answer, points, …)</source>
        <translation>评分项 #{number} 必须是映射（key、question、answer、points 等）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>sections is missing: a form needs a list of sections</source>
        <translation>缺少 sections：质检表需要一个板块列表</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>either every section has a weight or none does (the others have points)</source>
        <translation>要么每个板块都设置 weight，要么都不设置（其余板块使用 points）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the sections&apos; weights add up to {total}, not 100</source>
        <translation>各板块权重合计为 {total}，而不是 100</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>language &apos;{language}&apos; is not a language tag such as zh-CN or en</source>
        <translation>language“{language}”不是语言标记（例如 zh-CN 或 en）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>total is for forms whose sections have points (weighted forms add up to 100 %)</source>
        <translation>total 仅用于板块设置 points 的质检表（按权重计分的质检表合计为 100 %）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the sections add up to {sum} points, not the form&apos;s total of {total}</source>
        <translation>各板块合计 {sum} 分，与质检表总分 {total} 不符</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/forms.py" line="+133"/>
        <source>a form is a mapping with key, name, language and sections</source>
        <translation>质检表必须是包含 key、name、language 和 sections 的映射</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{file}: not UTF-8 text (save the form as UTF-8)</source>
        <translation>{file}：不是 UTF-8 文本（请将质检表另存为 UTF-8）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: cannot be read ({error}); check that the file exists and that you may read it</source>
        <translation>{file}：无法读取（{error}）；请检查文件是否存在以及您是否有读取权限</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/periods.py" line="+41"/>
        <source>A period cannot end ({end}) before it starts ({start}): put the earlier day first.</source>
        <translation>周期的结束日期（{end}）不能早于开始日期（{start}）：请把较早的日期放在前面。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unknown kind of period &apos;{kind}&apos;: use week, month, quarter or range.</source>
        <translation>未知的周期类型“{kind}”：请使用 week、month、quarter 或 range。</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>&apos;{kind}&apos; is not a kind of period: use week, month or quarter.</source>
        <translation>“{kind}”不是周期类型：请使用 week、month 或 quarter。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&apos;{text}&apos; is not a real period ({error}): check the month, week or day numbers.</source>
        <translation>“{text}”不是有效的周期（{error}）：请检查月份、周数或日期。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&apos;{text}&apos; is not a period: use a month (2026-10), a quarter (2026-Q4), an ISO week (2026-W44) or a range (2026-10-01..2026-10-15).</source>
        <translation>“{text}”不是周期：请输入月份（2026-10）、季度（2026-Q4）、ISO 周（2026-W44）或日期范围（2026-10-01..2026-10-15）。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/rule_schema.py" line="-36"/>
        <source>{field} is missing (one of {choices})</source>
        <translation>缺少 {field}（可选 {choices}）</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{field} must be a list, e.g. {field}: [&quot;…&quot;, &quot;…&quot;]</source>
        <translation>{field} 必须是列表，例如 {field}: [&quot;…&quot;, &quot;…&quot;]</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{field}: {value} is not text (quote it)</source>
        <translation>{field}：{value} 不是文本（请加引号）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{field}: &apos;{value}&apos; has no letters or digits to match</source>
        <translation>{field}：“{value}”不含可匹配的字母或数字</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>id {value} must be letters, digits, &apos;-&apos;, &apos;_&apos; or &apos;.&apos;</source>
        <translation>id {value} 只能包含字母、数字、“-”、“_”或“.”</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>language {value} is not a language tag such as zh-CN or en</source>
        <translation>language {value} 不是语言标记（例如 zh-CN 或 en）</translation>
    </message>
    <message>
        <location line="+20"/>
        <source> ({category} rules are acoustic: they take {fields})</source>
        <translation>（{category} 规则属于声学规则：可用字段为 {fields}）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{field} is not used by {category} rules (they take {fields})</source>
        <translation>{category} 规则不使用 {field}（可用字段为 {fields}）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{category} needs {fields} (the threshold it checks)</source>
        <translation>{category} 需要 {fields}（即其检查的阈值）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>min {min} must be below max {max}</source>
        <translation>min {min} 必须小于 max {max}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>phrases is missing: a {category} rule needs phrases (or patterns)</source>
        <translation>缺少 phrases：{category} 规则需要 phrases（或 patterns）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>pattern &apos;{pattern}&apos; is not a valid regular expression: {error}</source>
        <translation>正则表达式“{pattern}”无效：{error}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>pattern &apos;{pattern}&apos; matches empty text</source>
        <translation>正则表达式“{pattern}”会匹配空文本</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>exception &apos;{exception}&apos; contains none of the rule&apos;s phrases, so it can never apply</source>
        <translation>例外“{exception}”不包含该规则的任何短语，因此永远不会生效</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>at &apos;utterance start&apos; applies to phrases; start a pattern with ^ instead</source>
        <translation>at“utterance start”只适用于短语；正则表达式请改用 ^ 开头</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>homophones works only in a Chinese (zh) rulebook: &apos;{language}&apos; is compared as written</source>
        <translation>homophones 只适用于中文（zh）规则库：“{language}”按原文比较</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>homophones needs a phrase of 3 or more Chinese syllables (shorter phrases are matched exactly only)</source>
        <translation>homophones 需要至少 3 个汉字音节的短语（较短的短语只做精确匹配）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>kind &apos;{kind}&apos; takes no number (use at_most: N or per_minute: R)</source>
        <translation>kind“{kind}”不带数字（请使用 at_most: N 或 per_minute: R）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>kind &apos;{kind}&apos; needs a number, e.g. kind: {example}</source>
        <translation>kind“{kind}”需要一个数字，例如 kind: {example}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>kind {value} is not one of {choices}{hint}</source>
        <translation>kind {value} 不是 {choices} 之一{hint}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>a whole number, 0 or more</source>
        <translation>不小于 0 的整数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a number more than 0</source>
        <translation>大于 0 的数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>kind {kind} needs {number}, not {value}</source>
        <translation>kind {kind} 需要{number}，而不是 {value}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>min_count is used only with kind per_minute</source>
        <translation>min_count 只能与 kind per_minute 一起使用</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>window {value} is not one of: anywhere, first N s, last N s, before hold N s, after hold N s</source>
        <translation>window {value} 不是以下之一：anywhere、first N s、last N s、before hold N s、after hold N s</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>window &apos;anywhere&apos; takes no seconds</source>
        <translation>window“anywhere”不带秒数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>window &apos;{window}&apos; needs seconds, e.g. &apos;{window} 10 s&apos;</source>
        <translation>window“{window}”需要秒数，例如“{window} 10 s”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>window &apos;{window}&apos; needs more than 0 seconds</source>
        <translation>window“{window}”需要大于 0 的秒数</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>a hold_courtesy rule needs window &apos;before hold N s&apos; or &apos;after hold N s&apos;</source>
        <translation>hold_courtesy 规则需要 window“before hold N s”或“after hold N s”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>window &apos;{window}&apos; is used only with kind must_occur</source>
        <translation>window“{window}”只能与 kind must_occur 一起使用</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>min_hold is used only with a &apos;before hold&apos; or &apos;after hold&apos; window</source>
        <translation>min_hold 只能与“before hold”或“after hold”窗口一起使用</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/yaml_lines.py" line="+79"/>
        <location line="+3"/>
        <source>not valid YAML: {problem}</source>
        <translation>不是有效的 YAML：{problem}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source> (did you mean &apos;{word}&apos;?)</source>
        <translation>（是否想写“{word}”？）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/settings.py" line="+77"/>
        <source>{path}: cannot read settings ({error}). Correct the file, or delete it to start again with the default settings.</source>
        <translation>{path}：无法读取设置（{error}）。请修正该文件，或删除它以恢复默认设置。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{path}: settings must be a JSON object. Correct the file, or delete it to start again with the default settings.</source>
        <translation>{path}：设置必须是 JSON 对象。请修正该文件，或删除它以恢复默认设置。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/database.py" line="+69"/>
        <source>&apos;{url}&apos; is not a database URL. Use e.g. sqlite:///path/to/qa-desk.sqlite3 or postgresql+psycopg://user:password@host/dbname</source>
        <translation>“{url}”不是数据库地址。请使用例如 sqlite:///path/to/qa-desk.sqlite3 或 postgresql+psycopg://user:password@host/dbname</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>The folder for the database file does not exist: {folder}. Create the folder, or choose a database file in a folder that exists.</source>
        <translation>数据库文件所在的文件夹不存在：{folder}。请创建该文件夹，或选择位于已有文件夹中的数据库文件。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>QA Desk cannot open &apos;{url}&apos;: unknown database type &apos;{type}&apos;. Use a sqlite:// or postgresql:// URL.</source>
        <translation>QA Desk 无法打开“{url}”：未知的数据库类型“{type}”。请使用 sqlite:// 或 postgresql:// 地址。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The driver for &apos;{type}&apos; is not installed ({error}). Use a sqlite:// or postgresql:// URL, or install that driver.</source>
        <translation>未安装“{type}”的驱动（{error}）。请使用 sqlite:// 或 postgresql:// 地址，或安装该驱动。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Cannot connect to the database {url}: {error}. Check that the database server is running and reachable and that the URL, user and password are right, then try again.</source>
        <translation>无法连接数据库 {url}：{error}。请检查数据库服务器是否正在运行且可以访问，以及地址、用户名和密码是否正确，然后重试。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cannot use the database {url}: {error}. Check the URL and the database&apos;s permissions, then try again.</source>
        <translation>无法使用数据库 {url}：{error}。请检查地址和数据库权限，然后重试。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>The database {url} was written by a newer version of QA Desk (schema &apos;{schema}&apos;). Update QA Desk to open it; nothing was changed.</source>
        <translation>数据库 {url} 由更新版本的 QA Desk 写入（架构“{schema}”）。请升级 QA Desk 后再打开；数据库未做任何更改。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Could not upgrade the database {url}: {error}. Make sure nobody else is using it and that you may change its tables, then open it again.</source>
        <translation>无法升级数据库 {url}：{error}。请确认没有其他人正在使用它，且您有权修改其数据表，然后重新打开。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/filename_pattern.py" line="+81"/>
        <source>{file}: start time &apos;{value}&apos; in the file name is not a valid date/time for the format {format}; check the {{started:…}} part of the file-name pattern</source>
        <translation>{file}: 文件名中的开始时间“{value}”不符合日期/时间格式 {format}；请检查文件名模式中的 {{started:…}} 部分</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{file}: {problem} (from the file name)</source>
        <translation>{file}: {problem}（来自文件名）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>the file-name pattern is empty; use e.g. {example}</source>
        <translation>文件名模式为空；请使用例如 {example}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>unbalanced &apos;{brace}&apos; in the file-name pattern &apos;{pattern}&apos;; write {open} or {close} for a literal brace</source>
        <translation>文件名模式“{pattern}”中的“{brace}”不成对；要表示花括号本身，请写 {open} 或 {close}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{field} appears twice in the file-name pattern &apos;{pattern}&apos;; keep one of them</source>
        <translation>{field} 在文件名模式“{pattern}”中出现了两次；请只保留一个</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>unknown field {field} in the file-name pattern &apos;{pattern}&apos;; the fields are {known}</source>
        <translation>文件名模式“{pattern}”中有未知字段 {field}；可用字段为 {known}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>only {started} takes a format, not {field}; write {plain}</source>
        <translation>只有 {started} 可以带格式，{field} 不行；请写成 {plain}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>put a separator such as _ or - before {field} in the file-name pattern &apos;{pattern}&apos;; otherwise it is unclear where one part ends</source>
        <translation>请在文件名模式“{pattern}”中的 {field} 前加上分隔符，例如 _ 或 -；否则无法确定各部分的分界</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>the file-name pattern &apos;{pattern}&apos; has no fields; use e.g. {agent} or {started}</source>
        <translation>文件名模式“{pattern}”中没有字段；请使用例如 {agent} 或 {started}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>a lone %</source>
        <translation>单独的 %</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{code} in {field} is not a date code QA Desk understands; use %Y %m %d %H %M %S (or %y %b %B %j %I %p %f)</source>
        <translation>{field} 中的 {code} 不是 QA Desk 能识别的日期代码；请使用 %Y %m %d %H %M %S（或 %y %b %B %j %I %p %f）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{field} must contain the year, month and day (e.g. %Y%m%d)</source>
        <translation>{field} 必须包含年、月、日（例如 %Y%m%d）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/importer.py" line="+102"/>
        <source>{file}: cannot read ({detail}); check that it is not open in another program and import again</source>
        <translation>{file}: 无法读取（{detail}）；请确认文件未在其他程序中打开，然后重新导入</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>the agent channel must be left, right or mono, not &apos;{channel}&apos;</source>
        <translation>坐席声道必须是 left、right 或 mono，而不是“{channel}”</translation>
    </message>
    <message>
        <location line="+120"/>
        <source>could not be stored ({detail})</source>
        <translation>无法保存（{detail}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: cannot be read ({detail})</source>
        <translation>{file}: 无法读取（{detail}）</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>{file}: could not be stored ({detail})</source>
        <translation>{file}: 无法保存（{detail}）</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>The database stopped answering during the import ({detail}). What was imported so far is kept; check the connection and import again to add the rest.</source>
        <translation>导入过程中数据库停止响应（{detail}）。已导入的内容会保留；请检查连接后重新导入，以添加其余录音。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/metadata.py" line="+71"/>
        <source>direction &apos;{value}&apos; is not inbound or outbound; write e.g. inbound/outbound or 呼入/呼出</source>
        <translation>呼叫方向“{value}”既不是呼入也不是呼出；请写成例如 inbound/outbound 或 呼入/呼出</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>start time &apos;{value}&apos; is not a date/time; write it as e.g. 2026-11-23 10:15:00</source>
        <translation>开始时间“{value}”不是日期/时间；请写成例如 2026-11-23 10:15:00</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/sidecar.py" line="+133"/>
        <source>{file} row {row}: {problem}</source>
        <translation>{file} 第 {row} 行：{problem}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file} rows {rows} all list {recording} with different details; keep one row or give the folder too</source>
        <translation>{file} 的第 {rows} 行都列出了 {recording}，但通话信息各不相同；请只保留一行，或同时写明文件夹</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>{file}: old .xls workbooks cannot be read; save it as .xlsx or CSV</source>
        <translation>{file}: 无法读取旧版 .xls 工作簿；请另存为 .xlsx 或 CSV</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{file}: cannot be read ({detail}); close it in Excel or check that it is still there</source>
        <translation>{file}: 无法读取（{detail}）；请在 Excel 中关闭该文件，或检查它是否仍在原处</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{file}: the file has no header row; the first row must name the columns (file name, agent, start time…)</source>
        <translation>{file}: 文件没有表头行；第一行必须是各列的名称（文件名、坐席、开始时间…）</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>{file} line {line}: not a readable CSV file ({detail}); save it again as CSV from Excel</source>
        <translation>{file} 第 {line} 行：不是可读取的 CSV 文件（{detail}）；请在 Excel 中重新另存为 CSV</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{file}: this is not a CSV text file; choose the CSV or XLSX sheet the recorder exported</source>
        <translation>{file}: 这不是 CSV 文本文件；请选择录音系统导出的 CSV 或 XLSX 表格</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{file}: the text is neither UTF-8 nor GBK; save it as UTF-8 CSV</source>
        <translation>{file}: 文本既不是 UTF-8 也不是 GBK 编码；请另存为 UTF-8 CSV</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{file}: cannot be read as an Excel workbook ({detail}); open it in Excel and save it again as .xlsx or CSV</source>
        <translation>{file}: 无法作为 Excel 工作簿读取（{detail}）；请在 Excel 中打开并另存为 .xlsx 或 CSV</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{file}: the first sheet cannot be read ({detail}); open it in Excel and save it again as .xlsx or CSV</source>
        <translation>{file}: 无法读取第一个工作表（{detail}）；请在 Excel 中打开并另存为 .xlsx 或 CSV</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{file}: cannot map unknown field(s) {unknown}; the fields are {known}</source>
        <translation>{file}: 无法对应未知字段 {unknown}；可用字段为 {known}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{file}: column &apos;{column}&apos; (mapped to {field}) is not in the header row; the columns are {columns}. Choose one of them in the column mapping</source>
        <translation>{file}: 表头行中没有列“{column}”（对应 {field}）；现有的列为 {columns}。请在列对应中选择其中之一</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{file}: no column names the recording file (expected one of {expected}); the columns are {columns}. Map the file column in the import settings</source>
        <translation>{file}: 没有列包含录音文件名（应为以下之一：{expected}）；现有的列为 {columns}。请在导入设置中指定文件名所在的列</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/sources.py" line="+46"/>
        <source>{file}: no such file or folder; check the path, or whether the drive or share is connected</source>
        <translation>{file}: 没有此文件或文件夹；请检查路径，或确认磁盘或共享文件夹已连接</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>{file}: metadata missing (no row for it in {sheet} and its name does not match the pattern &apos;{pattern}&apos;); add a row for it, or fix the pattern</source>
        <translation>{file}: 缺少通话信息（{sheet} 中没有它的行，且文件名与模式“{pattern}”不匹配）；请为它添加一行，或修正模式</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: metadata missing (no row for it in {sheet}); add a row for it to the sheet, or import it without the sheet</source>
        <translation>{file}: 缺少通话信息（{sheet} 中没有它的行）；请在表格中为它添加一行，或不使用该表格导入</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: metadata missing (its name does not match the pattern &apos;{pattern}&apos;); fix the pattern, or import it without reading the file name</source>
        <translation>{file}: 缺少通话信息（文件名与模式“{pattern}”不匹配）；请修正模式，或不从文件名读取信息导入</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/rulebook.py" line="-39"/>
        <source>no default rulebook for language &apos;{language}&apos; (there are zh-CN and en)</source>
        <translation>没有语言“{language}”的默认规则库（现有 zh-CN 和 en）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{file}: not UTF-8 text (byte {byte})</source>
        <translation>{file}：不是 UTF-8 文本（第 {byte} 字节）</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>a rulebook is a mapping with key, name, language and rules</source>
        <translation>规则库应是包含 key、name、language 和 rules 的映射</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+52"/>
        <source>&apos;{key}&apos; is written twice</source>
        <translation>“{key}”写了两次</translation>
    </message>
    <message>
        <location line="-43"/>
        <source>{field} must be text</source>
        <translation>{field} 必须是文本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>key &apos;{key}&apos; must be letters, digits, &apos;-&apos;, &apos;_&apos; or &apos;.&apos;</source>
        <translation>key“{key}”只能由字母、数字、“-”、“_”或“.”组成</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>rules is missing: a rulebook needs a list of rules</source>
        <translation>缺少 rules：规则库需要一个规则列表</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>rule #{number}: a rule is a mapping (id, title, category, …)</source>
        <translation>第 {number} 条规则：规则应是一个映射（id、title、category……）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>rule {id}</source>
        <translation>规则 {id}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rule #{number}</source>
        <translation>第 {number} 条规则</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>id &apos;{id}&apos; is used twice (first at line {line})</source>
        <translation>id“{id}”用了两次（第一次在第 {line} 行）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/assignments.py" line="+160"/>
        <source>There is no review assignment {id}: it may have been removed. Reload the queue.</source>
        <translation>不存在质检任务 {id}：它可能已被移除。请重新加载队列。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Reassign to whom? The reviewer&apos;s name is empty: choose a reviewer.</source>
        <translation>要改派给谁？质检员姓名为空：请选择一位质检员。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Call {call} is already reviewed in {reviewer}&apos;s queue; only an open assignment can move.</source>
        <translation>通话 {call} 已在 {reviewer} 的队列中完成质检；只有未完成的任务才能改派。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Call {call} was taken out of {reviewer}&apos;s queue; only an open assignment can move. Assign the call again instead.</source>
        <translation>通话 {call} 已从 {reviewer} 的队列中移出；只有未完成的任务才能改派。请改为重新分配该通话。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Assign to whom? The reviewer&apos;s name is empty: choose a reviewer.</source>
        <translation>要分配给谁？质检员姓名为空：请选择一位质检员。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reviewing.py" line="+65"/>
        <location filename="../../qa_desk/store/assignments.py" line="+2"/>
        <location filename="../../qa_desk/store/calibration.py" line="+171"/>
        <location filename="../../qa_desk/store/calls.py" line="+410"/>
        <location filename="../../qa_desk/store/clips.py" line="+175"/>
        <location filename="../../qa_desk/store/evaluations.py" line="+259"/>
        <location filename="../../qa_desk/store/flags.py" line="+175"/>
        <source>There is no call {call}: it may have been deleted.</source>
        <translation>不存在通话 {call}：它可能已被删除。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/assignments.py" line="+4"/>
        <source>Call {call} is already in {reviewer}&apos;s queue: reassign it from there instead.</source>
        <translation>通话 {call} 已在 {reviewer} 的队列中：请从那里改派。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Call {call} is already reviewed; a done assignment stays in the queue.</source>
        <translation>通话 {call} 已完成质检；已完成的任务会保留在队列中。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/calibration.py" line="-72"/>
        <source>There is no calibration session {id}: it may have been removed. Reload the list of sessions.</source>
        <translation>不存在校准会话 {id}：它可能已被移除。请重新加载会话列表。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>{name} is not an active user and cannot be invited: invite someone else, or ask an administrator to reactivate {name}.</source>
        <translation>{name} 不是启用状态的用户，无法邀请：请邀请其他人，或请管理员重新启用 {name}。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} ({role}) may not score calibration sessions: invite reviewers or team leads.</source>
        <translation>{name}（{role}）无权为校准会话评分：请邀请质检员或组长。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A calibration session needs a name: give it one.</source>
        <translation>校准会话需要名称：请填写名称。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Unknown reference &apos;{reference}&apos;: use {choices}.</source>
        <translation>未知的参照方式“{reference}”：请使用 {choices}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../qa_desk/store/forms.py" line="+110"/>
        <source>There is no form version {id}: choose another form.</source>
        <translation>不存在质检表版本 {id}：请选择其他质检表。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A calibration session needs at least one call: choose the calls to score.</source>
        <translation>校准会话至少需要一通通话：请选择要评分的通话。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>An expert reference needs the expert&apos;s name: name the expert, or choose another reference.</source>
        <translation>以专家为参照时需要专家姓名：请填写专家姓名，或选择其他参照方式。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>A calibration needs at least two people scoring the calls: invite more reviewers.</source>
        <translation>校准至少需要两人为通话评分：请邀请更多质检员。</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>{name} is not invited to the calibration session &apos;{session}&apos;: ask {lead}, who started it, for an invitation.</source>
        <translation>{name} 未受邀参加校准会话“{session}”：请向发起人 {lead} 申请邀请。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Call {call} is not in the calibration session &apos;{session}&apos;: choose one of the session&apos;s calls.</source>
        <translation>通话 {call} 不在校准会话“{session}”中：请选择该会话中的通话。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The calibration session &apos;{session}&apos; is closed: no new scores. Its results can be viewed.</source>
        <translation>校准会话“{session}”已关闭：不能再评分。可以查看其结果。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Only {lead} (who started it) or an administrator may close the calibration session &apos;{session}&apos;: ask them to close it.</source>
        <translation>只有发起人 {lead} 或管理员可以关闭校准会话“{session}”：请让他们关闭。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/calls.py" line="-249"/>
        <source>Calls cannot be sorted by &apos;{sort}&apos;: choose one of {choices}.</source>
        <translation>通话不能按“{sort}”排序：请选择 {choices} 之一。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/clips.py" line="-73"/>
        <source>A clip needs a title: give it one.</source>
        <translation>片段需要标题：请填写标题。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A clip&apos;s title is at most {max} characters, not {count}: shorten it.</source>
        <translation>片段标题最多 {max} 个字符，当前为 {count} 个：请缩短标题。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The clip kind &apos;{kind}&apos; is not one of {choices}.</source>
        <translation>片段类型“{kind}”不是 {choices} 之一。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>A clip&apos;s span must start at 0 s or later and end after it starts, not {start}-{end}: choose the span again.</source>
        <translation>片段范围必须从 0 秒或之后开始，且结束晚于开始，而不是 {start}-{end}：请重新选择范围。</translation>
    </message>
    <message>
        <location line="+22"/>
        <location filename="../../qa_desk/store/playlists.py" line="+157"/>
        <source>Clip {clip} does not exist: it may have been deleted. Reload the library.</source>
        <translation>片段 {clip} 不存在：它可能已被删除。请重新加载培训库。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>The clip starts at {start} s, after the call&apos;s end ({end} s): choose a span within the call.</source>
        <translation>片段从 {start} 秒开始，晚于通话结束时间（{end} 秒）：请在通话时长内选择范围。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/analysis.py" line="+56"/>
        <source>The recording {file} is missing (was it moved or deleted?). Put it back, or import it again from its new place.</source>
        <translation>录音 {file} 不见了（是否已被移动或删除？）。请将其放回原处，或从新位置重新导入。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The recording {file} cannot be read: {problem}</source>
        <translation>无法读取录音 {file}：{problem}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The recording {file} holds no audio</source>
        <translation>录音 {file} 中没有音频</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>There is no call {id}; it may have been deleted.</source>
        <translation>没有通话 {id}，可能已被删除。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>There is no call {id} (deleted while it was analysed)</source>
        <translation>没有通话 {id}（在分析期间被删除）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/clip_audio.py" line="+79"/>
        <source>clip times must be numbers of seconds</source>
        <translation>片段的时间必须是秒数</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>pre-roll and post-roll cannot be negative</source>
        <translation>前置和后置时长不能为负数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the clip ends ({end} s) before it starts ({start} s)</source>
        <translation>片段的终点（{end} 秒）早于起点（{start} 秒）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the clip starts at {start} s, after the recording ends ({duration} s)</source>
        <translation>片段起点 {start} 秒晚于录音结尾（{duration} 秒）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the clip is empty (its start and end are the same); select a span of the call</source>
        <translation>片段为空（起点与终点相同）；请选择通话中的一段</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>{file}: no audio between {first} s and {last} s</source>
        <translation>{file}: {first} 秒到 {last} 秒之间没有音频</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>hide spans with &apos;beep&apos; or &apos;silence&apos;, not &apos;{how}&apos;</source>
        <translation>隐藏时间段请用“beep”或“silence”，而不是“{how}”</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>{file}: cannot write audio as &apos;{format}&apos; (use wav, flac or mp3)</source>
        <translation>{file}: 无法将音频写成“{format}”格式（请使用 wav、flac 或 mp3）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no suffix</source>
        <translation>无扩展名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{file}: MP3 export needs libsndfile 1.1 or newer (this one is {version}); export the clip as WAV or FLAC, or update libsndfile</source>
        <translation>{file}: 导出 MP3 需要 libsndfile 1.1 或更高版本（当前为 {version}）；请将片段导出为 WAV 或 FLAC，或升级 libsndfile</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>{file}: the clip cannot be written as {container} at {rate} Hz, {channels} channel(s) ({detail}); try WAV, or another folder</source>
        <translation>{file}: 无法以 {container} 格式、{rate} Hz、{channels} 声道写入片段（{detail}）；请尝试 WAV，或换一个文件夹</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>the clip&apos;s stored audio cannot be read ({detail}); save the clip again from its call</source>
        <translation>无法读取片段保存的音频（{detail}）；请从其所属通话重新保存该片段</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/decode.py" line="+92"/>
        <source>the file does not exist (was it moved or deleted?)</source>
        <translation>文件不存在（是否已被移动或删除？）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>permission denied (is it open in the recorder or another program?)</source>
        <translation>没有权限（文件是否仍在录音系统或其他程序中打开？）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>this is a folder, not a recording</source>
        <translation>这是一个文件夹，不是录音</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the recording cannot be decoded ({detail}); it may be damaged: export it from the call recorder again</source>
        <translation>无法解码录音（{detail}）；文件可能已损坏，请从录音系统重新导出</translation>
    </message>
    <message>
        <location line="+134"/>
        <source>decoding stopped ({detail}); the recording may be damaged</source>
        <translation>解码中断（{detail}）；录音可能已损坏</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/envelope.py" line="+219"/>
        <source>the file cannot be read ({detail})</source>
        <translation>无法读取文件（{detail}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/outputs.py" line="+94"/>
        <location line="+164"/>
        <source>No audio output device was found. Connect speakers or a headset and try again.</source>
        <translation>未找到音频输出设备。请连接扬声器或耳机后重试。</translation>
    </message>
    <message>
        <location line="-143"/>
        <source>The audio output device cannot be used ({detail}); choose another one in the system&apos;s sound settings</source>
        <translation>无法使用该音频输出设备（{detail}）；请在系统声音设置中选择其他设备</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>The PortAudio library is not installed, so QA Desk cannot play audio (on Debian/Ubuntu: apt install libportaudio2). ({detail})</source>
        <translation>未安装 PortAudio 库，QA Desk 无法播放音频（Debian/Ubuntu 上：apt install libportaudio2）。（{detail}）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The audio device stopped playing (it may have been disconnected). Check the speakers or headset and press Play again.</source>
        <translation>音频设备停止了播放（可能已断开连接）。请检查扬声器或耳机，然后再次点击“播放”。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The audio device does not support {rate} Hz.</source>
        <translation>音频设备不支持 {rate} Hz。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The audio device cannot play {channels} channel(s).</source>
        <translation>音频设备无法播放 {channels} 声道。</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The audio output device is not available ({detail}). Connect it, or choose another one in the system&apos;s sound settings, and try again.</source>
        <translation>音频输出设备不可用（{detail}）。请连接该设备，或在系统声音设置中选择其他设备，然后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The audio device could not start playing ({detail}); close other programs using it and try again.</source>
        <translation>音频设备无法开始播放（{detail}）；请关闭正在使用它的其他程序后重试。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/playback.py" line="+280"/>
        <source>The audio device cannot play this call: {problem} Resampling to {rates} Hz did not help either. Choose another output device in the system&apos;s sound settings.</source>
        <translation>音频设备无法播放此通话：{problem}重采样到 {rates} Hz 也无济于事。请在系统声音设置中选择其他输出设备。</translation>
    </message>
    <message>
        <location line="+69"/>
        <source>The recording could not be read: {problem}</source>
        <translation>无法读取录音：{problem}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/playback_queue.py" line="+123"/>
        <source>Playback failed: {problem}</source>
        <translation>播放失败：{problem}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/audio/probe.py" line="+97"/>
        <source>a PDF document</source>
        <translation>PDF 文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a ZIP archive or Office document</source>
        <translation>ZIP 压缩包或 Office 文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an old-style Office document</source>
        <translation>旧版 Office 文档</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a PNG image</source>
        <translation>PNG 图片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a JPEG image</source>
        <translation>JPEG 图片</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a Windows program</source>
        <translation>Windows 程序</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a RAR archive</source>
        <translation>RAR 压缩包</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a gzip archive</source>
        <translation>gzip 压缩包</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>{file}: this is not an audio recording (it looks like {what}); take it out of the recordings, or choose the recording itself</source>
        <translation>{file}: 这不是录音文件（看起来是{what}）；请将其移出录音，或选择录音文件本身</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{file}: this is not an audio recording QA Desk recognises. Convert it to WAV or FLAC, or install ffmpeg, and import again.</source>
        <translation>{file}: 这不是 QA Desk 能识别的录音。请将其转换为 WAV 或 FLAC，或安装 ffmpeg，然后重新导入。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{file}: this is a folder, not a recording</source>
        <translation>{file}: 这是一个文件夹，不是录音</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: the file does not exist (was it moved or deleted?)</source>
        <translation>{file}: 文件不存在（是否已被移动或删除？）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{file}: permission denied (is it still open in the recorder or another program?)</source>
        <translation>{file}: 没有权限（文件是否仍在录音系统或其他程序中打开？）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: the file cannot be read ({detail})</source>
        <translation>{file}: 无法读取文件（{detail}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: the file is empty (0 bytes); the recording was probably never written. Export it from the call recorder again.</source>
        <translation>{file}: 文件为空（0 字节），录音可能从未写入。请从录音系统重新导出。</translation>
    </message>
    <message>
        <location line="+63"/>
        <location line="+7"/>
        <source>an unknown codec</source>
        <translation>未知编码</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>{file}: the WAV header was never finished (it says there is no audio, yet {seconds} s follow it); the recorder probably stopped mid-call. Export the call from the recorder again.</source>
        <translation>{file}: WAV 文件头未写完（其中写明没有音频，但后面跟着 {seconds} 秒音频），录音系统可能在通话中途停止了。请从录音系统重新导出该通话。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{file}: the recording is truncated: it should hold {declared} s of audio but the file ends after {present} s (still copying, or cut short?). Wait for the copy to finish, or export it again, and import again.</source>
        <translation>{file}: 录音被截断：应包含 {declared} 秒音频，但文件在 {present} 秒处就结束了（仍在复制，还是被截断了？）。请等待复制完成或重新导出，然后重新导入。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{file}: the recording uses {codec}, which neither QA Desk nor ffmpeg can decode; set the call recorder to save WAV (PCM), MP3 or FLAC and export it again</source>
        <translation>{file}: 录音使用 {codec} 编码，QA Desk 和 ffmpeg 都无法解码；请将录音系统设置为保存 WAV（PCM）、MP3 或 FLAC，然后重新导出</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{file}: the recording uses {codec}, which QA Desk cannot decode without ffmpeg; {hint}</source>
        <translation>{file}: 录音使用 {codec} 编码，没有 ffmpeg 时 QA Desk 无法解码；{hint}</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>{file}: {kind} recordings need ffmpeg (no ffprobe at {program}); {hint}</source>
        <translation>{file}: {kind} 录音需要 ffmpeg（{program} 处没有 ffprobe）；{hint}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: {kind} recordings need ffmpeg; {hint}</source>
        <translation>{file}: {kind} 录音需要 ffmpeg；{hint}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>install ffmpeg, set QA_DESK_FFPROBE to the full path of ffprobe.exe, and import again</source>
        <translation>请安装 ffmpeg，将 QA_DESK_FFPROBE 设为 ffprobe.exe 的完整路径，然后重新导入</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>install it (brew install ffmpeg) and import again</source>
        <translation>请安装 ffmpeg（brew install ffmpeg）后重新导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>install it (sudo apt-get install ffmpeg) and import again</source>
        <translation>请安装 ffmpeg（sudo apt-get install ffmpeg）后重新导入</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: the recording is damaged or incomplete ({detail}); export it from the call recorder again</source>
        <translation>{file}: 录音已损坏或不完整（{detail}）；请从录音系统重新导出</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{file}: the recording has a valid header but no audio in it; export it from the call recorder again</source>
        <translation>{file}: 录音的文件头有效，但其中没有音频；请从录音系统重新导出</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>{file}: ffprobe gave no answer within {seconds} s; if the file is on a network share, copy it to this computer and import again</source>
        <translation>{file}: ffprobe 在 {seconds} 秒内没有响应；如果文件位于网络共享中，请复制到本机后重新导入</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{file}: ffprobe&apos;s report could not be read; check that ffprobe runs, or reinstall ffmpeg</source>
        <translation>{file}: 无法读取 ffprobe 的报告；请检查 ffprobe 能否运行，或重新安装 ffmpeg</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: the file holds no audio track (a video without sound?); export the call&apos;s audio again</source>
        <translation>{file}: 文件中没有音轨（是没有声音的视频吗？）；请重新导出通话音频</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{file}: the recording uses a codec that neither QA Desk nor ffmpeg can decode; set the call recorder to save WAV (PCM), MP3 or FLAC and export it again</source>
        <translation>{file}: 录音使用的编码 QA Desk 和 ffmpeg 都无法解码；请将录音系统设置为保存 WAV（PCM）、MP3 或 FLAC，然后重新导出</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{file}: ffprobe could not find the sample rate or channel count; the recording may be damaged: export it from the call recorder again</source>
        <translation>{file}: ffprobe 找不到采样率或声道数，录音可能已损坏，请从录音系统重新导出</translation>
    </message>
    <message>
        <location filename="../../qa_desk/clips.py" line="+49"/>
        <source>pre- and post-roll are between 0 and {max} seconds</source>
        <translation>前置和后置时长须在 0 到 {max} 秒之间</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>a clip needs a span of the call, not {start}-{end} s; select a stretch of the call</source>
        <translation>片段需要通话中的一段时间，而不是 {start}-{end} 秒；请选择通话中的一段</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a clip is at most {max} minutes; this span is {length}. Select a shorter span</source>
        <translation>片段最长 {max} 分钟，此时间范围为 {length} 分钟。请选择更短的时间范围</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>the recording cannot be read to cut the clip: {problem}</source>
        <translation>无法读取录音来剪切片段：{problem}</translation>
    </message>
    <message>
        <location line="+9"/>
        <location filename="../../qa_desk/transcription/attach.py" line="+165"/>
        <location line="+6"/>
        <source>call {id} does not exist (deleted?)</source>
        <translation>通话 {id} 不存在（已被删除？）</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>clip {id}: its call was deleted, so it can no longer be moved or widened (re-import the recording to move it again)</source>
        <translation>片段 {id}：其所属通话已被删除，因此无法再移动或扩展（重新导入录音后即可再次移动）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>clip {id} has no audio of its own; save it again from its call</source>
        <translation>片段 {id} 没有自己的音频；请从其所属通话重新保存</translation>
    </message>
    <message>
        <location filename="../../qa_desk/demo.py" line="-95"/>
        <source>{count} evaluation</source>
        <translation>{count} 个评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} evaluations</source>
        <translation>{count} 个评估</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{count} call other than the sample calls</source>
        <translation>{count} 通示例通话以外的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} calls other than the sample calls</source>
        <translation>{count} 通示例通话以外的通话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{count} agent of its own</source>
        <translation>{count} 名自有坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} agents of its own</source>
        <translation>{count} 名自有坐席</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{count} team of its own</source>
        <translation>{count} 个自有团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} teams of its own</source>
        <translation>{count} 个自有团队</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>training clips</source>
        <translation>培训片段</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The database {url} already holds {found}: the demo centre only fills an empty database (or one holding just the sample calls), so nothing was changed. Build the demo in a new, empty database, e.g. qa-desk --db sqlite:///qa-desk-demo.sqlite3 demo</source>
        <translation>数据库 {url} 中已有{found}：演示中心只填充空数据库（或仅含示例通话的数据库），因此未做任何更改。请在新的空数据库中构建演示，例如 qa-desk --db sqlite:///qa-desk-demo.sqlite3 demo</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The number of agents must be between 1 and {max}, not {count}.</source>
        <translation>坐席数量必须在 1 到 {max} 之间，而不是 {count}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The number of months must be between 1 and {max}, not {count}.</source>
        <translation>月数必须在 1 到 {max} 之间，而不是 {count}。</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>The database {url} changed while the demo centre was being built, so nothing was written ({detail}). Use a new, empty database.</source>
        <translation>构建演示中心期间数据库 {url} 发生了变化，因此未写入任何内容（{detail}）。请使用新的空数据库。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The shipped form {forms} could not be loaded{problems}. Reinstall QA Desk to restore it.</source>
        <translation>无法加载内置质检表 {forms}{problems}。请重新安装 QA Desk 以恢复。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The shipped forms {forms} could not be loaded{problems}. Reinstall QA Desk to restore them.</source>
        <translation>无法加载内置质检表 {forms}{problems}。请重新安装 QA Desk 以恢复。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/demo_recordings.py" line="+100"/>
        <source>The sample recordings in {folder} cannot be read ({detail}); the demo centre reuses them. Reinstall QA Desk to restore them.</source>
        <translation>无法读取 {folder} 中的示例录音（{detail}）；演示中心需要复用这些录音。请重新安装 QA Desk 以恢复。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The sample recordings in {folder} are incomplete: the demo needs a good and a poor call in Mandarin and in English. Reinstall QA Desk to restore them.</source>
        <translation>{folder} 中的示例录音不完整：演示需要普通话和英语各一通优质通话和一通较差通话。请重新安装 QA Desk 以恢复。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/evaluations.py" line="-195"/>
        <source>Evaluation {id} was changed by {name} since you opened it. Your changes were not saved: reload it to see the latest version.</source>
        <translation>评估 {id} 在您打开后已被 {name} 修改。您的更改未保存：请重新加载以查看最新版本。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Evaluation {id} was changed since you opened it. Your changes were not saved: reload it to see the latest version.</source>
        <translation>评估 {id} 在您打开后已被修改。您的更改未保存：请重新加载以查看最新版本。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>a draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>disputed</source>
        <translation>申诉中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location line="+89"/>
        <source>There is no evaluation {id}: it may have been deleted. Reload the list.</source>
        <translation>不存在评估 {id}：它可能已被删除。请重新加载列表。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{name} may not edit evaluation {id}: it is {reviewer}&apos;s. Only its reviewer changes it.</source>
        <translation>{name} 无权编辑评估 {id}：它属于 {reviewer}。只有其质检员可以修改。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Evaluation {id} belongs to the closed calibration session &apos;{session}&apos;: its sheets no longer change.</source>
        <translation>评估 {id} 属于已关闭的校准会话“{session}”：其评分表不能再更改。</translation>
    </message>
    <message>
        <location line="+103"/>
        <source>Evaluation {id} is {reviewer}&apos;s draft: only {reviewer} sees it until it is submitted.</source>
        <translation>评估 {id} 是 {reviewer} 的草稿：提交之前只有 {reviewer} 可以查看。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Evaluation {id} is a calibration sheet: say who is reading it (sign in first).</source>
        <translation>评估 {id} 是校准评分表：请说明由谁查看（请先登录）。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} may not see {reviewer}&apos;s calibration sheet (evaluation {id}) yet: calibration scoring is blind. Submit your own sheet for the call, or wait until the session is closed.</source>
        <translation>{name} 暂时不能查看 {reviewer} 的校准评分表（评估 {id}）：校准评分为盲评。请先提交您自己对该通话的评分表，或等待会话关闭。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The form {form} has no item {item}: reload the evaluation.</source>
        <translation>质检表 {form} 中没有评分项 {item}：请重新加载评估。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Evaluation {id} is {status}: after submission its answers change only through a dispute&apos;s resolution.</source>
        <translation>评估 {id} 的状态为“{status}”：提交后，其答案只能通过处理申诉来更改。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Evaluation {id} is already {status}: reload it to see its latest state.</source>
        <translation>评估 {id} 的状态已是“{status}”：请重新加载以查看最新状态。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{count} item still needs an answer: {items}. Answer it, then submit.</source>
        <translation>还有 {count} 个评分项未作答：{items}。请作答后再提交。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{count} items still need an answer: {items}. Answer them, then submit.</source>
        <translation>还有 {count} 个评分项未作答：{items}。请作答后再提交。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Evaluation {id} is {status}, so it cannot be acknowledged: only a submitted evaluation can.</source>
        <translation>评估 {id} 的状态为“{status}”，因此无法确认：只有已提交的评估才能确认。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Evaluation {id} is {status}, so it cannot be disputed: only a submitted or acknowledged evaluation can.</source>
        <translation>评估 {id} 的状态为“{status}”，因此无法申诉：只有已提交或已确认的评估才能申诉。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation {id} is {status}, so it cannot be resolved: only a disputed evaluation can.</source>
        <translation>评估 {id} 的状态为“{status}”，因此无法处理申诉：只有申诉中的评估才能处理。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>A dispute needs the agent&apos;s reason: write why the agent disagrees.</source>
        <translation>申诉需要坐席的理由：请写明坐席不认同的原因。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A resolution needs a note saying what was decided: write one.</source>
        <translation>处理申诉需要填写处理说明：请写明处理结果。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>A comment needs some text: write what you noticed.</source>
        <translation>批注需要内容：请写下您注意到的情况。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A comment&apos;s span must start at 0 or later and end after it starts: choose the span again.</source>
        <translation>批注范围必须从 0 或之后开始，且结束晚于开始：请重新选择范围。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/flags.py" line="+64"/>
        <source>No flag {flag}: it may have been removed by a rescan of its call. Reload the call&apos;s flags.</source>
        <translation>不存在标记 {flag}：它可能已在重新检查其通话时被移除。请重新加载该通话的标记。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Who is deciding? A reviewer&apos;s name is required for every decision on a flag: sign in, or give your name.</source>
        <translation>由谁处理？每次处理标记都需要质检员姓名：请登录，或填写您的姓名。</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Say why the flag is dismissed (e.g. &apos;the customer said it, not the agent&apos;): a reason is required.</source>
        <translation>请说明驳回该标记的原因（例如“是客户说的，不是坐席”）：原因为必填项。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The note is empty: write what should be remembered about this flag.</source>
        <translation>备注为空：请写下关于此标记需要记住的内容。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/playlists.py" line="-99"/>
        <source>A playlist needs a name: give it one.</source>
        <translation>播放列表需要名称：请填写名称。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A playlist&apos;s name is at most {max} characters, not {count}: shorten it.</source>
        <translation>播放列表名称最多 {max} 个字符，当前为 {count} 个：请缩短名称。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Playlist {playlist} does not exist: it may have been deleted. Reload the library.</source>
        <translation>播放列表 {playlist} 不存在：它可能已被删除。请重新加载培训库。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Playlist entry {entry} does not exist: it may have been removed. Reload the playlist.</source>
        <translation>播放列表条目 {entry} 不存在：它可能已被移除。请重新加载播放列表。</translation>
    </message>
    <message>
        <location line="+113"/>
        <source>The new order must name every entry of the playlist exactly once (someone else changed it meanwhile?): reload the playlist and try again.</source>
        <translation>新的顺序必须恰好包含播放列表中的每一项各一次（可能有其他人同时修改了它）：请重新加载播放列表后重试。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/sampling.py" line="+113"/>
        <source>There is no sampling rule &apos;{rule}&apos;: check its name or id in the list of rules.</source>
        <translation>不存在抽样规则“{rule}”：请在规则列表中核对其名称或编号。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>There is no sampling rule {rule}: it may have been removed. Reload the list of rules.</source>
        <translation>不存在抽样规则 {rule}：它可能已被移除。请重新加载规则列表。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>A sampling rule named &apos;{name}&apos; already exists: choose another name, or change that rule.</source>
        <translation>名为“{name}”的抽样规则已存在：请换一个名称，或修改该规则。</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>The sampling rule &apos;{name}&apos; is no longer active: choose an active rule.</source>
        <translation>抽样规则“{name}”已停用：请选择一条启用中的规则。</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>There is no sampling run {run}: check the run&apos;s id.</source>
        <translation>不存在抽样执行记录 {run}：请检查其编号。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/scorecards.py" line="+61"/>
        <source>A scorecard lists agents or teams, not &apos;{level}&apos;: choose agent or team.</source>
        <translation>评分卡按坐席或团队列出，而不是“{level}”：请选择 agent 或 team。</translation>
    </message>
    <message>
        <location line="+93"/>
        <source>A score band is 1 to 100 points wide, not {width}.</source>
        <translation>得分区间宽度应为 1 到 100 分，而不是 {width}。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/users.py" line="-23"/>
        <source>A password needs at least {count} characters: choose a longer one.</source>
        <translation>密码至少需要 {count} 个字符：请设置更长的密码。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>A user needs a name: give one.</source>
        <translation>用户需要姓名：请填写姓名。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>There is already a user named {name}: choose another name.</source>
        <translation>已有名为 {name} 的用户：请换一个姓名。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>There is no user {id}: reload the list of users.</source>
        <translation>不存在用户 {id}：请重新加载用户列表。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>You cannot deactivate yourself: another administrator has to.</source>
        <translation>您不能停用自己：需由另一位管理员操作。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>The name or password is wrong: check both and try again.</source>
        <translation>姓名或密码错误：请检查两者后重试。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>This user has been deactivated: ask an administrator to reactivate it.</source>
        <translation>该用户已停用：请让管理员重新启用。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>A shared database needs each person to sign in with a name and password: sign in, or ask an administrator for an account.</source>
        <translation>共享数据库要求每个人使用姓名和密码登录：请登录，或向管理员申请账户。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This database has users who sign in: ask an administrator for an account.</source>
        <translation>该数据库已有需登录的用户：请向管理员申请账户。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{name} has been deactivated: ask an administrator to reactivate the account.</source>
        <translation>{name} 已被停用：请让管理员重新启用该账户。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>This database already has users: ask an administrator for an account.</source>
        <translation>该数据库已有用户：请向管理员申请账户。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>{name} cannot act as {other}: sign in as {other} instead.</source>
        <translation>{name} 不能以 {other} 的身份操作：请改为以 {other} 登录。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&apos;{name}&apos; is not a QA Desk user: sign in first.</source>
        <translation>“{name}”不是 QA Desk 用户：请先登录。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/store/versions.py" line="+44"/>
        <source>Could not store a new version of &apos;{key}&apos;: others kept saving one at the same moment. Try again.</source>
        <translation>无法保存“{key}”的新版本：其他人在同一时刻不断保存新版本。请重试。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/attach.py" line="-84"/>
        <source>unknown speaker &apos;{speaker}&apos; (use agent, customer, left or right)</source>
        <translation>未知说话人“{speaker}”（请使用 agent、customer、left 或 right）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the call has no left channel; name the speaker agent or customer</source>
        <translation>该通话没有左声道；请将说话人指定为 agent 或 customer</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the call has no right channel; name the speaker agent or customer</source>
        <translation>该通话没有右声道；请将说话人指定为 agent 或 customer</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>no words in the file</source>
        <translation>文件中没有任何文字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no words in any of the files</source>
        <translation>所有文件中都没有任何文字</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{other} has the agent&apos;s lines too; attach one file per speaker</source>
        <translation>{other} 中也有坐席的内容；请每位说话人只附加一个文件</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{other} has the customer&apos;s lines too; attach one file per speaker</source>
        <translation>{other} 中也有客户的内容；请每位说话人只附加一个文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{other} has the call&apos;s lines too; attach one file per speaker</source>
        <translation>{other} 中也有该通话的内容；请每位说话人只附加一个文件</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/catalog.py" line="+61"/>
        <source>{file}: an entry is not an object</source>
        <translation>{file}: 有一个条目不是对象</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: an entry has no name</source>
        <translation>{file}: 有一个条目没有名称</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{file}: entry {name}: &apos;url&apos; is not an http(s) address</source>
        <translation>{file}: 条目 {name}：“url”不是 http(s) 地址</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: entry {name}: &apos;md5&apos; is not an MD5 checksum</source>
        <translation>{file}: 条目 {name}：“md5”不是 MD5 校验值</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{file}: entry {name}: &apos;size&apos; is not a number of bytes</source>
        <translation>{file}: 条目 {name}：“size”不是字节数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: entry {name}: &apos;size&apos; is negative</source>
        <translation>{file}: 条目 {name}：“size”为负数</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{file}: not a JSON file ({detail}); choose Vosk&apos;s model-list.json</source>
        <translation>{file}: 不是 JSON 文件（{detail}）；请选择 Vosk 的 model-list.json</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: expected a JSON list of models, like Vosk&apos;s model-list.json</source>
        <translation>{file}: 应为模型的 JSON 列表，如 Vosk 的 model-list.json</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: the list holds no models</source>
        <translation>{file}: 列表中没有任何模型</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{file}: cannot read the model list ({detail}); reinstall QA Desk</source>
        <translation>{file}: 无法读取模型列表（{detail}）；请重新安装 QA Desk</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{file}: not a UTF-8 JSON file; choose Vosk&apos;s model-list.json</source>
        <translation>{file}: 不是 UTF-8 编码的 JSON 文件；请选择 Vosk 的 model-list.json</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: cannot read it ({detail})</source>
        <translation>{file}: 无法读取（{detail}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/download.py" line="+89"/>
        <source>{url}: only http:// and https:// addresses can be downloaded</source>
        <translation>{url}: 只能下载 http:// 和 https:// 地址</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{url}: cannot save the download to {file} ({detail}); free some disk space and try again</source>
        <translation>{url}: 无法将下载内容保存到 {file}（{detail}）；请释放一些磁盘空间后重试</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{url}: the connection dropped after {done} of {total} bytes; the part already downloaded is kept and the next try resumes from there</source>
        <translation>{url}: 下载到 {done} / {total} 字节时连接中断；已下载的部分会保留，下次尝试将从中断处继续</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{url}: the connection dropped after {done} bytes; the part already downloaded is kept and the next try resumes from there</source>
        <translation>{url}: 下载到 {done} 字节时连接中断；已下载的部分会保留，下次尝试将从中断处继续</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{url}: downloaded {size} bytes but the model list says {expected}; the download was deleted: try again, or update the model list</source>
        <translation>{url}: 已下载 {size} 字节，但模型列表写明为 {expected} 字节；下载的文件已删除：请重试，或更新模型列表</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{url}: the MD5 checksum {md5} does not match the published {expected}; the download was deleted: try again, or update the model list</source>
        <translation>{url}: MD5 校验值 {md5} 与公布的 {expected} 不符；下载的文件已删除：请重试，或更新模型列表</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>{url}: the server answered HTTP {code} {reason}</source>
        <translation>{url}: 服务器返回 HTTP {code} {reason}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{url}: cannot connect ({detail}); check the internet connection or the proxy, and try again</source>
        <translation>{url}: 无法连接（{detail}）；请检查网络连接或代理后重试</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{url}: the server did not answer within {seconds} s; try again later</source>
        <translation>{url}: 服务器在 {seconds} 秒内没有响应；请稍后重试</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{url}: the download failed ({detail}); try again</source>
        <translation>{url}: 下载失败（{detail}）；请重试</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>{url}: the server offers {total} bytes but the model list says {expected}; this is not the published file: update the model list</source>
        <translation>{url}: 服务器提供的文件为 {total} 字节，但模型列表写明为 {expected} 字节；这不是公布的文件：请更新模型列表</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/formats.py" line="+58"/>
        <source>{file}: line {line}: {problem}</source>
        <translation>{file}: 第 {line} 行：{problem}</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>cannot be read ({detail})</source>
        <translation>无法读取（{detail}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not a text file; a transcript is a WebVTT, SRT or Vosk result JSON file</source>
        <translation>不是文本文件；转写文件应为 WebVTT、SRT 或 Vosk 结果 JSON 文件</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>the text is neither UTF-8 nor GBK; save it as UTF-8</source>
        <translation>文本既不是 UTF-8 也不是 GBK 编码；请另存为 UTF-8</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the file is empty</source>
        <translation>文件为空</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>not a transcript file (expected WebVTT, SRT or Vosk result JSON)</source>
        <translation>不是转写文件（应为 WebVTT、SRT 或 Vosk 结果 JSON）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>unknown speaker &apos;{speaker}&apos; (use agent or customer)</source>
        <translation>未知说话人“{speaker}”（请使用 agent 或 customer）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>label &apos;{label}&apos; mapped to &apos;{who}&apos;; use agent or customer</source>
        <translation>标签“{label}”对应到了“{who}”；请使用 agent 或 customer</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>word &apos;{word}&apos; at {at} is after the end of the call ({length}); is this the transcript of another call?</source>
        <translation>词“{word}”位于 {at}，晚于通话结尾（{length}）；这是否是另一通通话的转写文本？</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>cue at {at} is after the end of the call ({length}); is this the transcript of another call?</source>
        <translation>{at} 处的字幕晚于通话结尾（{length}）；这是否是另一通通话的转写文本？</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>not valid JSON ({detail}, column {column})</source>
        <translation>不是有效的 JSON（{detail}，第 {column} 列）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not a Vosk result (JSON nested too deeply)</source>
        <translation>不是 Vosk 结果（JSON 嵌套过深）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>not valid JSON (expected &apos;,&apos; or &apos;]&apos; in the list)</source>
        <translation>不是有效的 JSON（列表中应为“,”或“]”）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>not valid JSON (more text after the list)</source>
        <translation>不是有效的 JSON（列表后还有多余内容）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>&apos;result&apos; is not a list of words</source>
        <translation>“result”不是词的列表</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>word {index} of the result is not {shape}</source>
        <translation>结果中的第 {index} 个词不是 {shape}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>word {index} (&apos;{word}&apos;) has no valid start and end time</source>
        <translation>第 {index} 个词（“{word}”）没有有效的开始和结束时间</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>word {index} (&apos;{word}&apos;) ends ({end} s) before it starts ({start} s)</source>
        <translation>第 {index} 个词（“{word}”）的结束时间（{end} 秒）早于开始时间（{start} 秒）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>expected a Vosk result object {shape}</source>
        <translation>应为 Vosk 结果对象 {shape}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>a result with &apos;alternatives&apos; (max_alternatives was set); only plain results with word times can be attached</source>
        <translation>结果中含有“alternatives”（设置了 max_alternatives）；只能附加带词时间的普通结果</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>a result without word times (only &apos;text&apos;): run Vosk with words on (SetWords(True))</source>
        <translation>结果没有词时间（只有“text”）：请在运行 Vosk 时开启词输出（SetWords(True)）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not a Vosk result (no &apos;result&apos; list of words)</source>
        <translation>不是 Vosk 结果（没有“result”词列表）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>a Vosk result has no speaker: name the file &lt;recording&gt;.agent.json or &lt;recording&gt;.customer.json (or .left/.right), or use --speaker</source>
        <translation>Vosk 结果没有说话人：请将文件命名为 &lt;录音名&gt;.agent.json 或 &lt;录音名&gt;.customer.json（或 .left/.right），或使用 --speaker</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>bad timestamp &apos;{stamp}&apos; (expected {expected})</source>
        <translation>时间戳“{stamp}”有误（应为 {expected}）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>bad cue time line &apos;{text}&apos; (expected start --&gt; end)</source>
        <translation>字幕时间行“{text}”有误（应为 start --&gt; end）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>the cue ends ({end}) before it starts ({start})</source>
        <translation>字幕的结束时间（{end}）早于开始时间（{start}）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>a WebVTT file starts with &apos;WEBVTT&apos;</source>
        <translation>WebVTT 文件须以“WEBVTT”开头</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>a blank line must separate the WEBVTT header from the cues</source>
        <translation>WEBVTT 文件头与字幕之间必须有一个空行</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>hh:mm:ss.ttt or mm:ss.ttt</source>
        <translation>hh:mm:ss.ttt 或 mm:ss.ttt</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a cue time line &apos;start --&gt; end&apos;</source>
        <translation>字幕时间行“start --&gt; end”</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>a cue number and a time line &apos;00:00:01,000 --&gt; 00:00:02,500&apos;</source>
        <translation>字幕序号和时间行“00:00:01,000 --&gt; 00:00:02,500”</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>expected {expected}</source>
        <translation>应为{expected}</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>unknown speaker label &apos;{label}&apos; (use Agent/Customer, 坐席/客户 or Speaker 1/2, map the label, or use --speaker)</source>
        <translation>未知的说话人标签“{label}”（请使用 Agent/Customer、坐席/客户或 Speaker 1/2，为该标签指定对应关系，或使用 --speaker）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>no speaker label; start the line with Agent: or Customer:, or use --speaker</source>
        <translation>没有说话人标签；请在行首写上 Agent: 或 Customer:，或使用 --speaker</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>no cues with text in the file</source>
        <translation>文件中没有带文字的字幕</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/model_choice.py" line="+31"/>
        <source>speech model &apos;{model}&apos; is not installed on {computer} ({detail}); install it in Settings → Speech models, or transcribe with another model</source>
        <translation>{computer} 上没有安装语音模型“{model}”（{detail}）；请在“设置 → 语音模型”中安装，或改用其他模型转写</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>no speech model for &apos;{language}&apos; calls is installed on {computer}: add one in Settings → Speech models or with `qa-desk models install`</source>
        <translation>{computer} 上没有安装适用于“{language}”通话的语音模型：请在“设置 → 语音模型”中添加，或使用 `qa-desk models install`</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>speech model &apos;{model}&apos; cannot be used: {problem}</source>
        <translation>无法使用语音模型“{model}”：{problem}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/model_install.py" line="+47"/>
        <source>&apos;{name}&apos; cannot be a model name: use letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;</source>
        <translation>“{name}”不能作为模型名称：请使用字母、数字、“-”、“_”和“.”</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>a model named &apos;{name}&apos; is already installed; ask to replace it, or choose another name</source>
        <translation>已安装名为“{name}”的模型；请选择替换它，或另选一个名称</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{source}: not a Vosk model: missing {files}; choose the folder that holds am, conf and graph</source>
        <translation>{source}: 不是 Vosk 模型：缺少 {files}；请选择包含 am、conf 和 graph 的文件夹</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>{source}: cannot move the model into {folder} ({detail})</source>
        <translation>{source}: 无法将模型移入 {folder}（{detail}）</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>{folder}: no such folder</source>
        <translation>{folder}: 没有此文件夹</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{folder} is already installed as &apos;{name}&apos;</source>
        <translation>{folder} 已安装为“{name}”</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+3"/>
        <source>{folder}: cannot copy it ({detail})</source>
        <translation>{folder}: 无法复制（{detail}）</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{file}: no such file</source>
        <translation>{file}: 没有此文件</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>{url}: not an http:// or https:// address</source>
        <translation>{url}: 不是 http:// 或 https:// 地址</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>&apos;{model}&apos; is not in the published model list; check the name, or update the model list</source>
        <translation>“{model}”不在已发布的模型列表中；请检查名称，或更新模型列表</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>{source}: no such file or folder</source>
        <translation>{source}: 没有此文件或文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&apos;{source}&apos; is not a model folder, a .zip file, an http(s) address or a name in the published model list</source>
        <translation>“{source}”不是模型文件夹、.zip 文件、http(s) 地址，也不是已发布模型列表中的名称</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/model_zip.py" line="+47"/>
        <source>{zip}: refused: member &apos;{member}&apos; has an absolute path</source>
        <translation>{zip}: 已拒绝：成员“{member}”使用了绝对路径</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{zip}: refused: member &apos;{member}&apos; points outside the folder (..)</source>
        <translation>{zip}: 已拒绝：成员“{member}”指向文件夹之外（..）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{zip}: refused: member &apos;{member}&apos; is a symbolic link</source>
        <translation>{zip}: 已拒绝：成员“{member}”是符号链接</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{zip}: refused: member &apos;{member}&apos; is not a file or folder</source>
        <translation>{zip}: 已拒绝：成员“{member}”既不是文件也不是文件夹</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{zip}: refused: member &apos;{member}&apos; is encrypted; zip the model again without a password</source>
        <translation>{zip}: 已拒绝：成员“{member}”已加密；请不设密码重新压缩该模型</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{zip}: refused: {count} members (a model has far fewer; limit {limit})</source>
        <translation>{zip}: 已拒绝：共有 {count} 个成员（模型远没有这么多；上限为 {limit}）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{zip}: refused as a zip bomb: member &apos;{member}&apos; unpacks {ratio} times larger than it is stored</source>
        <translation>{zip}: 已作为压缩炸弹拒绝：成员“{member}”解压后是存储大小的 {ratio} 倍</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{zip}: refused: it unpacks to {size} GiB (limit {limit} GiB)</source>
        <translation>{zip}: 已拒绝：解压后为 {size} GiB（上限为 {limit} GiB）</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{zip}: the file does not exist</source>
        <translation>{zip}: 文件不存在</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{zip}: not a zip file ({detail}); the download may be incomplete: download the model again</source>
        <translation>{zip}: 不是 zip 文件（{detail}）；下载可能不完整，请重新下载该模型</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{zip}: cannot read it ({detail})</source>
        <translation>{zip}: 无法读取（{detail}）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>{zip}: needs {needed} MiB to unpack but only {free} MiB are free in {folder}; free some disk space and try again</source>
        <translation>{zip}: 解压需要 {needed} MiB，但 {folder} 中只有 {free} MiB 可用空间；请释放一些磁盘空间后重试</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{zip}: refused: member &apos;{member}&apos; points outside the folder</source>
        <translation>{zip}: 已拒绝：成员“{member}”指向文件夹之外</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{zip}: cannot unpack &apos;{member}&apos; ({detail})</source>
        <translation>{zip}: 无法解压“{member}”（{detail}）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{zip}: refused: member &apos;{member}&apos; is larger than it claims</source>
        <translation>{zip}: 已拒绝：成员“{member}”比其声明的大小更大</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{zip}: member &apos;{member}&apos; is damaged ({detail}); download the model again</source>
        <translation>{zip}: 成员“{member}”已损坏（{detail}）；请重新下载该模型</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{zip}: cannot write {file} ({detail})</source>
        <translation>{zip}: 无法写入 {file}（{detail}）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/queue.py" line="+177"/>
        <source>the worker stopped {count} times while transcribing this call; the recording may be damaged: play it to check, then retry</source>
        <translation>转写此通话时进程已停止 {count} 次；录音可能已损坏：请播放检查，然后重试</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/runner.py" line="+80"/>
        <source>cannot load the speech model at {folder} ({detail}); install it again</source>
        <translation>无法加载 {folder} 处的语音模型（{detail}）；请重新安装</translation>
    </message>
    <message>
        <location line="+217"/>
        <source>unexpected error: {detail}</source>
        <translation>意外错误：{detail}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>call {id} was deleted</source>
        <translation>通话 {id} 已被删除</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: recording not found (moved, or not reachable from this computer); put it back or connect the share, then retry</source>
        <translation>{file}: 找不到录音（已被移动，或本机无法访问）；请将其放回原处或连接共享文件夹，然后重试</translation>
    </message>
    <message>
        <location filename="../../qa_desk/transcription/speech_models.py" line="+68"/>
        <source>installed in QA Desk&apos;s models folder ({path})</source>
        <translation>安装在 QA Desk 的模型文件夹中（{path}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>found through {variable} ({value}) at {path}</source>
        <translation>通过 {variable}（{value}）找到，位于 {path}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in the folder {folder} added in Settings, at {path}</source>
        <translation>位于在设置中添加的文件夹 {folder} 中，路径为 {path}</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>the folder itself</source>
        <translation>文件夹本身</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>graph/HCLG.fst (or graph/HCLr.fst with graph/Gr.fst)</source>
        <translation>graph/HCLG.fst（或 graph/HCLr.fst 加 graph/Gr.fst）</translation>
    </message>
    <message>
        <location line="+103"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no speech model named &apos;{name}&apos; (models found: {known})</source>
        <translation>没有名为“{name}”的语音模型（找到的模型：{known}）</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>{model}: its language is not known (not in the model list, no language in its folder name), so it cannot be a language&apos;s default; name it when transcribing</source>
        <translation>{model}: 语言未知（不在模型列表中，文件夹名中也没有语言），因此不能作为某种语言的默认模型；请在转写时指定它</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{model} cannot be removed by QA Desk: it is {origin}. Delete it there, or remove its folder from the search folders</source>
        <translation>QA Desk 无法删除 {model}：它{origin}。请在那里删除它，或从搜索文件夹中移除其所在文件夹</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{folder}: cannot remove it ({detail}); close any program using the model and try again</source>
        <translation>{folder}: 无法删除（{detail}）；请关闭正在使用该模型的程序后重试</translation>
    </message>
</context>
<context>
    <name>EvaluationPanel</name>
    <message>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="+89"/>
        <source>Start evaluation</source>
        <translation>开始评估</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Score this call on an evaluation form. Answers the call&apos;s flags suggest are filled in for you to check.</source>
        <translation>使用质检表为本通话评分。系统已根据本通话的标记预填建议答案，请您核对。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Form:</source>
        <translation>质检表：</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Comment at playhead…</source>
        <translation>在播放位置添加备注…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A comment on the selected span, or at the playhead</source>
        <translation>为选中的时间范围或播放位置添加备注</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Acknowledge</source>
        <translation>确认知悉</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dispute…</source>
        <translation>申诉…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Resolve…</source>
        <translation>处理申诉…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>History…</source>
        <translation>历史记录…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Calibration sheet, scored blind: the others&apos; scores appear in the session once you submit.</source>
        <translation>校准评分表（盲评）：您提交后，即可在校准会中看到其他人的评分。</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Reading the evaluation…</source>
        <translation>正在读取评估…</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>{0} (v{1})</source>
        <translation>{0}（v{1}）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Only a reviewer, a team lead or an admin scores calls</source>
        <translation>仅质检员、组长或管理员可以为通话评分</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No evaluation of this call yet. Reviewers and team leads score calls; once one is submitted, it shows here.</source>
        <translation>此通话尚无评估。通话由质检员和组长评分；评估提交后会显示在这里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>There is no evaluation form yet: add one in Forms.</source>
        <translation>尚无质检表：请在“质检表”中添加。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>There is no evaluation form yet: a team lead adds them in Forms.</source>
        <translation>尚无质检表：质检表由组长在“质检表”中添加。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Total: {0} of 100</source>
        <translation>总分：{0} / 100</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Total: {0} / {1} · {2}</source>
        <translation>总分：{0} / {1} · {2}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/ui/evaluation_history.py" line="+24"/>
        <source>Evaluation history</source>
        <translation>评估历史</translation>
    </message>
    <message>
        <location line="+12"/>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="-9"/>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="+0"/>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>started</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="+1"/>
        <source>disputed</source>
        <translation>申诉中</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="+0"/>
        <source>resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>re-scored</source>
        <translation>重新评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>commented</source>
        <translation>已评论</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>score {0}{1}</source>
        <translation>得分 {0}{1}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="+1"/>
        <source>{0} v{1} · {2} · by {3}</source>
        <translation>{0} v{1} · {2} · 评估人：{3}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Total: nothing answered yet</source>
        <translation>总分：尚未作答</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{0} to answer</source>
        <translation>{0} 项待作答</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Critical item failed: {0}. The whole evaluation scores 0.</source>
        <translation>致命项未通过：{0}。整份评估计 0 分。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Critical item failed: {0}. Its section scores 0.</source>
        <translation>致命项未通过：{0}。所在板块计 0 分。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Answer every item first</source>
        <translation>请先完成所有评分项的作答</translation>
    </message>
    <message>
        <location line="+14"/>
        <location line="+1"/>
        <source>A reviewer, team lead or manager records this</source>
        <translation>此操作由质检员、组长或经理记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only a team lead or an admin resolves a dispute</source>
        <translation>仅组长或管理员可处理申诉</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>The last answers could not be saved: {0}</source>
        <translation>最近的作答未能保存：{0}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Evaluation {0}: {1}</source>
        <translation>评估 {0}：{1}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Dispute</source>
        <translation>申诉</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why does the agent dispute this evaluation?</source>
        <translation>坐席对此评估提出申诉的理由是什么？</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Resolve</source>
        <translation>处理申诉</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What was decided? (Change answers first to re-score.)</source>
        <translation>处理结果是什么？（如需重新评分，请先修改作答。）</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Comment at {0}</source>
        <translation>在 {0} 处添加备注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Comment:</source>
        <translation>备注：</translation>
    </message>
</context>
<context>
    <name>ExportBar</name>
    <message>
        <location filename="../../qa_desk/ui/scorecard_export.py" line="+52"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Export scorecards</source>
        <translation>导出评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Excel workbook (*.xlsx);;CSV files (*.csv)</source>
        <translation>Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Exporting the scorecards of {0} to {1}…</source>
        <translation>正在将 {0} 的评分卡导出到 {1}…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Exported to {0}: {1} evaluations, {2} flags.</source>
        <translation>已导出到 {0}：{1} 条评估，{2} 条标记。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>({0} more files beside it)</source>
        <translation>（同一位置另有 {0} 个文件）</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+1"/>
        <source>The export failed: {0}</source>
        <translation>导出失败：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Export cancelled.</source>
        <translation>已取消导出。</translation>
    </message>
</context>
<context>
    <name>Exports</name>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+24"/>
        <source>Summary</source>
        <translation>汇总</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sections</source>
        <translation>板块</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+11"/>
        <source>Evaluations</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>Answers</source>
        <translation>作答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="+53"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+2"/>
        <source>Trend</source>
        <translation>趋势</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Level</source>
        <translation>层级</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+64"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="-63"/>
        <source>Agents</source>
        <translation>坐席数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quota</source>
        <translation>质检配额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Behind quota</source>
        <translation>距配额尚缺</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average score</source>
        <translation>平均得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous period</source>
        <translation>上一周期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change (points)</source>
        <translation>变化（百分点）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Critical failures</source>
        <translation>致命项未通过</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auto-failed</source>
        <translation>自动判为不合格</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="+3"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Calls</source>
        <translation>通话数</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Scanned calls</source>
        <translation>已检查通话数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags per call</source>
        <translation>每通通话标记数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags per call: {category}</source>
        <translation>每通通话标记数：{category}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Talk ratio</source>
        <translation>说话占比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dead air (s/call)</source>
        <translation>静默（秒/通）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Hold (s/call)</source>
        <translation>通话保持（秒/通）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overtalk (s/call)</source>
        <translation>抢话（秒/通）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Interruptions per call</source>
        <translation>每通通话打断次数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Handle time (s)</source>
        <translation>通话时长（秒）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation</source>
        <translation>评估编号</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="+9"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Call</source>
        <translation>通话编号</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Call date</source>
        <translation>通话日期</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="-11"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <location line="+40"/>
        <source>Form</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="-39"/>
        <source>Form version</source>
        <translation>质检表版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+7"/>
        <source>Points</source>
        <translation>分数</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Max points</source>
        <translation>满分</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="+13"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Section</source>
        <translation>板块</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="+4"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Item</source>
        <translation>评分项</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Answer</source>
        <translation>作答</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Suggested answer</source>
        <translation>建议作答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Changed from suggestion</source>
        <translation>已改动建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Comment</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flag</source>
        <translation>标记编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rule title</source>
        <translation>规则标题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start (s)</source>
        <translation>开始（秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End (s)</source>
        <translation>结束（秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matched text</source>
        <translation>命中内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decided by</source>
        <translation>处理人</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+25"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+7"/>
        <source>Period</source>
        <translation>周期</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Average score per team, last {count} periods</source>
        <translation>各团队平均得分，最近 {count} 个周期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average score per agent, {period}</source>
        <translation>各坐席平均得分，{period}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Average score per team, {period}</source>
        <translation>各团队平均得分，{period}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="-23"/>
        <source>Reviewers</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>By month</source>
        <translation>按月</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scores</source>
        <translation>得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items</source>
        <translation>评分项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Spread</source>
        <translation>得分分布</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Mean distance (points)</source>
        <translation>平均差距（分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean deviation (points)</source>
        <translation>平均偏差（分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agreement rate</source>
        <translation>一致率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items compared</source>
        <translation>比对评分项数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items matched</source>
        <translation>一致评分项数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Session</source>
        <translation>校准会编号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Session name</source>
        <translation>校准会名称</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Held on</source>
        <translation>举行日期</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+13"/>
        <source>Reference</source>
        <translation>基准</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>Deviation (points)</source>
        <translation>偏差（分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Items differing</source>
        <translation>不一致评分项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Critical items differing</source>
        <translation>不一致的致命项</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Critical</source>
        <translation>致命项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reference answer</source>
        <translation>基准作答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Most common answer</source>
        <translation>最常见作答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agreement</source>
        <translation>一致率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contested</source>
        <translation>有争议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sheets</source>
        <translation>评分表数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reference score</source>
        <translation>基准得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lowest</source>
        <translation>最低</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Highest</source>
        <translation>最高</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Range (points)</source>
        <translation>极差（分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean</source>
        <translation>平均值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Standard deviation (points)</source>
        <translation>标准差（分）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mean item agreement</source>
        <translation>评分项平均一致率</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/reports/headers.py" line="+2"/>
        <source>Parameter</source>
        <translation>参数</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/reports/headers.py" line="+2"/>
        <source>From</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>To (included)</source>
        <translation>结束日期（含）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sessions</source>
        <translation>校准会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calibrated calls</source>
        <translation>已校准通话数</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{0} calibration session</source>
        <translation>{0} 场校准会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} calibration sessions</source>
        <translation>{0} 场校准会</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} calibrated call</source>
        <translation>{0} 通已校准通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} calibrated calls</source>
        <translation>{0} 通已校准通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} reviewer</source>
        <translation>{0} 名质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} reviewers</source>
        <translation>{0} 名质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrote {path}: {sessions}, {calls}, {reviewers}</source>
        <translation>已写入 {path}：{sessions}，{calls}，{reviewers}</translation>
    </message>
    <message>
        <location line="+129"/>
        <source>{path}: calibration exports are Excel workbooks; name the file .xlsx</source>
        <translation>{path}：校准导出为 Excel 工作簿，请将文件命名为 .xlsx</translation>
    </message>
    <message>
        <location line="+3"/>
        <location filename="../../qa_desk/reports/export.py" line="+138"/>
        <source>{path}: the folder {folder} does not exist</source>
        <translation>{path}：文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading the calibration sessions…</source>
        <translation>正在读取校准会话…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{path}: cannot write the workbook ({reason}); is it open in another program?</source>
        <translation>{path}：无法写入工作簿（{reason}）；该文件是否已在其他程序中打开？</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Compared with</source>
        <translation>对比周期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>One row per</source>
        <translation>每行为</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Form version used</source>
        <translation>使用的质检表版本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quota (evaluations per agent per month)</source>
        <translation>质检配额（每名坐席每月评估数）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quota in this period</source>
        <translation>本周期质检配额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Good at or above</source>
        <translation>良好（不低于）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Poor below</source>
        <translation>较差（低于）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="-177"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Generated at</source>
        <translation>生成时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Generated by</source>
        <translation>生成人</translation>
    </message>
    <message>
        <location line="+1"/>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Generated with</source>
        <translation>生成工具</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/headers.py" line="+1"/>
        <source>Rows: {sheet}</source>
        <translation>行数：{sheet}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All agents</source>
        <translation>全部坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All teams</source>
        <translation>全部团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All forms</source>
        <translation>全部质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No team</source>
        <translation>无团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} v{version} ({key}): {evaluations} evaluations</source>
        <translation>{name} v{version}（{key}）：{evaluations} 份评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>forbidden phrase</source>
        <translation>禁用语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>required greeting</source>
        <translation>规范问候语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>required closing</source>
        <translation>规范结束语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hold courtesy</source>
        <translation>通话保持礼貌用语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>filler words</source>
        <translation>口头禅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>impolite address</source>
        <translation>不礼貌称呼</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rhetorical question</source>
        <translation>反问句</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>negative framing</source>
        <translation>消极表述</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dead air</source>
        <translation>静默</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hold silence</source>
        <translation>通话保持静默</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>overtalk</source>
        <translation>抢话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>talk ratio</source>
        <translation>说话占比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>speech rate</source>
        <translation>语速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>first words latency</source>
        <translation>首次开口延迟</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/csv_export.py" line="+72"/>
        <source>{0} (%)</source>
        <translation>{0}（%）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/export.py" line="-79"/>
        <source>{0} agent</source>
        <translation>{0} 名坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{0} agents</source>
        <translation>{0} 名坐席</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} team</source>
        <translation>{0} 个团队</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>{0} teams</source>
        <translation>{0} 个团队</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} evaluations, {1} answers, {2} flags</source>
        <translation>{0} 份评估，{1} 条作答，{2} 个标记</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrote {path} (and {others} files beside it): scorecards of {period}, {rows}, {counts}, in {seconds} s</source>
        <translation>已写入 {path}（及同目录下的另外 {others} 个文件）：{period} 的评分卡，{rows}，{counts}，用时 {seconds} 秒</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Wrote {path}: scorecards of {period}, {rows}, {counts}, in {seconds} s</source>
        <translation>已写入 {path}：{period} 的评分卡，{rows}，{counts}，用时 {seconds} 秒</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{path}: cannot export scorecards to a &apos;{suffix}&apos; file; name it .xlsx (Excel workbook) or .csv</source>
        <translation>{path}：无法将评分卡导出为“{suffix}”文件；请命名为 .xlsx（Excel 工作簿）或 .csv</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{path}: cannot export scorecards to a file without extension; name it .xlsx (Excel workbook) or .csv</source>
        <translation>{path}：无法将评分卡导出为没有扩展名的文件；请命名为 .xlsx（Excel 工作簿）或 .csv</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>{path}: scorecards are exported per agent or per team, not per &apos;{level}&apos;</source>
        <translation>{path}：评分卡只能按坐席或按团队导出，不能按“{level}”导出</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{path}: is a folder, not a file name</source>
        <translation>{path}：这是一个文件夹，不是文件名</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Reading the scorecards of {0}</source>
        <translation>正在读取 {0} 的评分卡</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/calibration_export.py" line="+166"/>
        <location filename="../../qa_desk/reports/export.py" line="+29"/>
        <source>Writing {0}</source>
        <translation>正在写入 {0}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/export.py" line="+7"/>
        <source>{path}: cannot write the export ({reason})</source>
        <translation>{path}：无法写入导出文件（{reason}）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{path}: cannot replace the file ({reason}); is it open in another program?</source>
        <translation>{path}：无法替换该文件（{reason}）；该文件是否已在其他程序中打开？</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/call_transcript.py" line="+47"/>
        <source>call {0} does not exist (deleted?)</source>
        <translation>通话 {0} 不存在（已被删除？）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>call {0} has no transcript yet (transcribe it, or attach a transcript file)</source>
        <translation>通话 {0} 还没有转写文本（请先转写，或附加转写文本文件）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/clip_export.py" line="+80"/>
        <source>clip {id} ({title}): {message}</source>
        <translation>片段 {id}（{title}）：{message}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clip {id}: {message}</source>
        <translation>片段 {id}：{message}</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>playlist &apos;{0}&apos; has no clips to export</source>
        <translation>播放列表“{0}”中没有可导出的片段</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>{0}: is a folder; give the zip file&apos;s name</source>
        <translation>{0}：这是一个文件夹；请填写 zip 文件的名称</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0}: already exists (choose another name, or allow overwriting)</source>
        <translation>{0}：已存在（请换一个名称，或允许覆盖）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{0}: is a file; give a folder to export into</source>
        <translation>{0}：这是一个文件；请指定要导出到的文件夹</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0}: the folder is not empty (choose a new folder, or allow overwriting)</source>
        <translation>{0}：文件夹不为空（请选择新文件夹，或允许覆盖）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0}: holds more than a clip export; only an earlier export is replaced (choose a new folder)</source>
        <translation>{0}：其中不只有片段导出的文件；只能覆盖之前的导出（请选择新文件夹）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>hide numbers with &apos;beep&apos; or &apos;silence&apos;, not &apos;{0}&apos;</source>
        <translation>号码只能用“beep”（提示音）或“silence”（静音）屏蔽，不能用“{0}”</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>no clips to export</source>
        <translation>没有可导出的片段</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{path}: cannot write there ({reason})</source>
        <translation>{path}：无法写入该位置（{reason}）</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>nothing was exported: {0}</source>
        <translation>未导出任何内容：{0}</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>{path}: the export could not be written ({reason})</source>
        <translation>{path}：无法写入导出内容（{reason}）</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>{0}: already exists</source>
        <translation>{0}：已存在</translation>
    </message>
    <message>
        <location filename="../../qa_desk/reports/transcript_files.py" line="+288"/>
        <source>no suffix</source>
        <translation>无扩展名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name}: cannot write a transcript as &apos;{format}&apos; (use txt, srt, vtt or json)</source>
        <translation>{name}：无法将转写文本写为“{format}”（请使用 txt、srt、vtt 或 json）</translation>
    </message>
</context>
<context>
    <name>Findings</name>
    <message>
        <location filename="../../qa_desk/scoring/checks.py" line="+34"/>
        <source>a forbidden phrase</source>
        <translation>禁用语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the required greeting</source>
        <translation>规定的开场问候语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the required closing</source>
        <translation>规定的结束语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the hold courtesy</source>
        <translation>通话保持礼貌用语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a filler</source>
        <translation>口头禅</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>an impolite form of address</source>
        <translation>不礼貌的称呼</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>a rhetorical question</source>
        <translation>反问句</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>negative framing</source>
        <translation>负面表述</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/acoustic_checks.py" line="+50"/>
        <location filename="../../qa_desk/scoring/checks.py" line="+11"/>
        <source>agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <location filename="../../qa_desk/scoring/checks.py" line="+2"/>
        <source>customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The agent talked {ratio:.2f} times as much as the customer (the rule wants {low:g}–{high:g}).</source>
        <translation>坐席的说话时长是客户的 {ratio:.2f} 倍（规则要求 {low:g}–{high:g}）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The agent talked {ratio:.2f} times as much as the customer (the rule wants at least {low:g}).</source>
        <translation>坐席的说话时长是客户的 {ratio:.2f} 倍（规则要求至少 {low:g}）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The agent talked {ratio:.2f} times as much as the customer (the rule wants at most {high:g}).</source>
        <translation>坐席的说话时长是客户的 {ratio:.2f} 倍（规则要求至多 {high:g}）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The {who} spoke {rate:.0f} words a minute (the rule wants {low:g}–{high:g} words a minute).</source>
        <translation>{who}的语速为每分钟 {rate:.0f} 词（规则要求每分钟 {low:g}–{high:g} 词）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} spoke {rate:.0f} characters a minute (the rule wants {low:g}–{high:g} characters a minute).</source>
        <translation>{who}的语速为每分钟 {rate:.0f} 字（规则要求每分钟 {low:g}–{high:g} 字）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} spoke {rate:.0f} words a minute (the rule wants at least {low:g} words a minute).</source>
        <translation>{who}的语速为每分钟 {rate:.0f} 词（规则要求每分钟至少 {low:g} 词）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} spoke {rate:.0f} characters a minute (the rule wants at least {low:g} characters a minute).</source>
        <translation>{who}的语速为每分钟 {rate:.0f} 字（规则要求每分钟至少 {low:g} 字）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} spoke {rate:.0f} words a minute (the rule wants at most {high:g} words a minute).</source>
        <translation>{who}的语速为每分钟 {rate:.0f} 词（规则要求每分钟至多 {high:g} 词）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} spoke {rate:.0f} characters a minute (the rule wants at most {high:g} characters a minute).</source>
        <translation>{who}的语速为每分钟 {rate:.0f} 字（规则要求每分钟至多 {high:g} 字）。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Nobody spoke for {duration:.1f} s at {at} without a hold being announced (dead air over {limit:g} s).</source>
        <translation>{at} 处无人说话 {duration:.1f} 秒，且事先未告知通话保持（静默超过 {limit:g} 秒）。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The line was silent for {duration:.0f} s at {at}, longer than the {limit:g} s a hold should last.</source>
        <translation>{at} 处线路静默 {duration:.0f} 秒，超过了通话保持应有的最长 {limit:g} 秒。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The agent&apos;s first words came {first:.1f} s into the call (the rule allows {limit:g} s).</source>
        <translation>坐席在通话开始 {first:.1f} 秒后才开口（规则允许 {limit:g} 秒）。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>{what}; {allowed}.</source>
        <translation>{what}；{allowed}。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The agent started talking over the customer {n} time ({total:.1f} s in all)</source>
        <translation>坐席在客户说话时抢话 {n} 次（共 {total:.1f} 秒）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The agent started talking over the customer {n} times ({total:.1f} s in all)</source>
        <translation>坐席在客户说话时抢话 {n} 次（共 {total:.1f} 秒）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The customer started talking over the agent {n} time ({total:.1f} s in all)</source>
        <translation>客户在坐席说话时抢话 {n} 次（共 {total:.1f} 秒）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The customer started talking over the agent {n} times ({total:.1f} s in all)</source>
        <translation>客户在坐席说话时抢话 {n} 次（共 {total:.1f} 秒）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Both talked at once {n} time ({total:.1f} s in all)</source>
        <translation>双方同时说话 {n} 次（共 {total:.1f} 秒）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Both talked at once {n} times ({total:.1f} s in all)</source>
        <translation>双方同时说话 {n} 次（共 {total:.1f} 秒）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the rule allows {count} time and {seconds:g} s in all</source>
        <translation>规则允许 {count} 次、共 {seconds:g} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the rule allows {count} times and {seconds:g} s in all</source>
        <translation>规则允许 {count} 次、共 {seconds:g} 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the rule allows {count} time</source>
        <translation>规则允许 {count} 次</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the rule allows {count} times</source>
        <translation>规则允许 {count} 次</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>the rule allows {seconds:g} s in all</source>
        <translation>规则允许共 {seconds:g} 秒</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/checks.py" line="+1"/>
        <source>speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{phrases} or a similar phrase</source>
        <translation>{phrases}或类似说法</translation>
    </message>
    <message>
        <location line="+157"/>
        <location line="+122"/>
        <source>a flagged phrase</source>
        <translation>被标记的说法</translation>
    </message>
    <message>
        <location line="-119"/>
        <source>The {who} said “{said}”, {noun} under the rule “{rule}”; on a mono recording it may have been the customer.</source>
        <translation>{who}说了“{said}”，属于规则“{rule}”中的{noun}；这是单声道录音，也可能是客户说的。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}”, {noun} under the rule “{rule}”.</source>
        <translation>{who}说了“{said}”，属于规则“{rule}”中的{noun}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}” {window}, {noun} under the rule “{rule}”; on a mono recording it may have been the customer.</source>
        <translation>{who}{window}说了“{said}”，属于规则“{rule}”中的{noun}；这是单声道录音，也可能是客户说的。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}” {window}, {noun} under the rule “{rule}”.</source>
        <translation>{who}{window}说了“{said}”，属于规则“{rule}”中的{noun}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}”, which sounds like “{phrase}”, {noun} under the rule “{rule}” (it may be a recognition error); on a mono recording it may have been the customer.</source>
        <translation>{who}说了“{said}”，听起来像规则“{rule}”中的{noun}“{phrase}”（可能是识别错误）；这是单声道录音，也可能是客户说的。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} said “{said}”, which sounds like “{phrase}”, {noun} under the rule “{rule}” (it may be a recognition error).</source>
        <translation>{who}说了“{said}”，听起来像规则“{rule}”中的{noun}“{phrase}”（可能是识别错误）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} said “{said}” {window}, which sounds like “{phrase}”, {noun} under the rule “{rule}” (it may be a recognition error); on a mono recording it may have been the customer.</source>
        <translation>{who}{window}说了“{said}”，听起来像规则“{rule}”中的{noun}“{phrase}”（可能是识别错误）；这是单声道录音，也可能是客户说的。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} said “{said}” {window}, which sounds like “{phrase}”, {noun} under the rule “{rule}” (it may be a recognition error).</source>
        <translation>{who}{window}说了“{said}”，听起来像规则“{rule}”中的{noun}“{phrase}”（可能是识别错误）。</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>The agent did not say {phrases} {window}.</source>
        <translation>坐席未{window}说{phrases}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The customer did not say {phrases} {window}.</source>
        <translation>客户未{window}说{phrases}。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nobody said {phrases} {window}.</source>
        <translation>无人{window}说{phrases}。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Nobody said {phrases} in the {seconds:g} s before the {hold:.0f} s hold at {at}.</source>
        <translation>无人在 {at} 那次 {hold:.0f} 秒的通话保持之前 {seconds:g} 秒内说{phrases}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nobody said {phrases} in the {seconds:g} s after the {hold:.0f} s hold at {at}.</source>
        <translation>无人在 {at} 那次 {hold:.0f} 秒的通话保持之后 {seconds:g} 秒内说{phrases}。</translation>
    </message>
    <message>
        <location line="-11"/>
        <source>The agent did not say {phrases} in the {seconds:g} s before the {hold:.0f} s hold at {at}.</source>
        <translation>坐席未在 {at} 那次 {hold:.0f} 秒的通话保持之前 {seconds:g} 秒内说{phrases}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The agent did not say {phrases} in the {seconds:g} s after the {hold:.0f} s hold at {at}.</source>
        <translation>坐席未在 {at} 那次 {hold:.0f} 秒的通话保持之后 {seconds:g} 秒内说{phrases}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The customer did not say {phrases} in the {seconds:g} s before the {hold:.0f} s hold at {at}.</source>
        <translation>客户未在 {at} 那次 {hold:.0f} 秒的通话保持之前 {seconds:g} 秒内说{phrases}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The customer did not say {phrases} in the {seconds:g} s after the {hold:.0f} s hold at {at}.</source>
        <translation>客户未在 {at} 那次 {hold:.0f} 秒的通话保持之后 {seconds:g} 秒内说{phrases}。</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>The {who} said {noun} under the rule “{rule}” {n} times (at most {limit:g} is allowed).</source>
        <translation>{who}说了 {n} 次规则“{rule}”中的{noun}（最多允许 {limit:g} 次）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said {noun} under the rule “{rule}” {n} times (at most {limit:g} are allowed).</source>
        <translation>{who}说了 {n} 次规则“{rule}”中的{noun}（最多允许 {limit:g} 次）。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The {who} said {noun} under the rule “{rule}” {n} times ({rate:.1f} a minute over {minutes:.1f} min of talk, more than {limit:g} a minute).</source>
        <translation>{who}说了 {n} 次规则“{rule}”中的{noun}（{minutes:.1f} 分钟的说话时间内每分钟 {rate:.1f} 次，超过每分钟 {limit:g} 次）。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>a phrase</source>
        <translation>说法</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} said “{said}”: it counts as {noun} the rule “{rule}” requires {window}.</source>
        <translation>{who}说了“{said}”：这算作规则“{rule}”要求{window}说的{noun}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}”, which sounds like “{phrase}”: it counts as {noun} the rule “{rule}” requires {window}.</source>
        <translation>{who}说了“{said}”，听起来像“{phrase}”：这算作规则“{rule}”要求{window}说的{noun}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} said “{said}”: it counts towards the rule “{rule}”, which allows at most {limit:g} in a call.</source>
        <translation>{who}说了“{said}”：这计入规则“{rule}”，该规则每通通话最多允许 {limit:g} 次。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}”, which sounds like “{phrase}”: it counts towards the rule “{rule}”, which allows at most {limit:g} in a call.</source>
        <translation>{who}说了“{said}”，听起来像“{phrase}”：这计入规则“{rule}”，该规则每通通话最多允许 {limit:g} 次。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The {who} said “{said}”: it counts towards the rule “{rule}”, which allows {limit:g} a minute of talk.</source>
        <translation>{who}说了“{said}”：这计入规则“{rule}”，该规则允许每分钟说话时间内 {limit:g} 次。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The {who} said “{said}”, which sounds like “{phrase}”: it counts towards the rule “{rule}”, which allows {limit:g} a minute of talk.</source>
        <translation>{who}说了“{said}”，听起来像“{phrase}”：这计入规则“{rule}”，该规则允许每分钟说话时间内 {limit:g} 次。</translation>
    </message>
    <message>
        <location filename="../../qa_desk/scoring/rulebook.py" line="-186"/>
        <source>within the first {seconds:g} s</source>
        <translation>在前 {seconds:g} 秒内</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>within the last {seconds:g} s</source>
        <translation>在最后 {seconds:g} 秒内</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>within {seconds:g} s before hold</source>
        <translation>在通话保持前 {seconds:g} 秒内</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>within {seconds:g} s after hold</source>
        <translation>在通话保持后 {seconds:g} 秒内</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>anywhere in the call</source>
        <translation>在通话中</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../../qa_desk/ui/sign_in.py" line="+104"/>
        <source>Welcome to QA Desk</source>
        <translation>欢迎使用 QA Desk</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose your language, then tell QA Desk who uses it on this computer: your name is written on the evaluations, flag decisions and clips you make, and in the audit log.</source>
        <translation>请选择界面语言，并告诉 QA Desk 这台电脑由谁使用：您的姓名将记录在您完成的评估、标记处理和片段上，并写入审计日志。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>As the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your name</source>
        <translation>您的姓名</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Your role</source>
        <translation>您的角色</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>FlagChecker</name>
    <message>
        <location filename="../../qa_desk/ui/flag_checks.py" line="+64"/>
        <source>Checking calls against {0}…</source>
        <translation>正在按 {0} 检查通话…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Finding the calls to check…</source>
        <translation>正在查找需要检查的通话…</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Rulebook check: {0} call(s) checked, {1} failed.</source>
        <translation>规则库检查：已检查 {0} 个通话，{1} 通失败。</translation>
    </message>
</context>
<context>
    <name>FlagHistoryDialog</name>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="+34"/>
        <source>Flag history</source>
        <translation>标记历史</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What</source>
        <translation>操作</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>FlagTrendChart</name>
    <message>
        <location filename="../../qa_desk/ui/trend_charts.py" line="+151"/>
        <source>Confirmed flags per call by period</source>
        <translation>各周期每个通话的已确认标记数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags per call</source>
        <translation>每个通话的标记数</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No calls of these periods were checked against the rulebook.</source>
        <translation>这些周期内没有经过规则库检测的通话。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{0} · {1}: {2} per call</source>
        <translation>{0} · {1}：每个通话 {2} 条</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{0}: {1} flags per call over {2} checked calls</source>
        <translation>{0}：在 {2} 个已检测通话中，平均每个通话 {1} 条标记</translation>
    </message>
</context>
<context>
    <name>Flags</name>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="-337"/>
        <source>Critical</source>
        <translation>致命</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Major</source>
        <translation>严重</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Minor</source>
        <translation>一般</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Forbidden phrase</source>
        <translation>服务禁语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Required greeting</source>
        <translation>规范开场白</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Required closing</source>
        <translation>规范结束语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Hold courtesy</source>
        <translation>保持礼貌用语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filler words</source>
        <translation>口头禅</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Impolite address</source>
        <translation>不礼貌称呼</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rhetorical question</source>
        <translation>反问句</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Negative framing</source>
        <translation>消极表述</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dead air</source>
        <translation>静默</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Long hold</source>
        <translation>保持过长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Overtalk</source>
        <translation>抢话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Talk ratio</source>
        <translation>说话占比</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Speech rate</source>
        <translation>语速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>First-words latency</source>
        <translation>首句响应时长</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Possible match: sounds like the phrase (homophone)</source>
        <translation>可能匹配：与该短语读音相同（同音字）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Missing: required phrase not said</source>
        <translation>缺失：未说规定用语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Said too often</source>
        <translation>说得过多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>From the audio</source>
        <translation>来自音频</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Exact</source>
        <translation>精确匹配</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Possible (homophone)</source>
        <translation>可能（同音字）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too often</source>
        <translation>过多</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Either speaker</source>
        <translation>任一方</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Confirmed · {0}</source>
        <translation>已确认 · {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dismissed · {0}</source>
        <translation>已驳回 · {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dismissed</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reopened</source>
        <translation>已重新打开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>FlagsPane</name>
    <message>
        <location filename="../../qa_desk/ui/flags_pane.py" line="+147"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check this call against the service-language rulebook again</source>
        <translation>按服务用语规则库重新检查本通话</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The agent did say it (C)</source>
        <translation>坐席确实说了（C）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dismiss…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The flag is wrong: say why (D)</source>
        <translation>标记有误：请说明原因（D）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note…</source>
        <translation>备注…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add a note to the flag (N)</source>
        <translation>为标记添加备注（N）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Undo the decision (R)</source>
        <translation>撤销判定（R）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Every decision and note on the flag</source>
        <translation>该标记的所有判定和备注</translation>
    </message>
    <message>
        <location line="+108"/>
        <source>Could not read the flags again: {0}</source>
        <translation>无法重新读取标记：{0}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Could not read the flags</source>
        <translation>无法读取标记</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checking the call against the rulebook…</source>
        <translation>正在按规则库检查通话…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reading flags…</source>
        <translation>正在读取标记…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not checked yet: no transcript</source>
        <translation>尚未检查：没有转写文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A call is checked against the service-language rulebook once it is transcribed. Transcribe it first (the Transcribe button by its transcript); its flags appear here when the check is done.</source>
        <translation>通话转写后才会按服务用语规则库进行检查。请先转写（点击转写文本处的“转写”按钮）；检查完成后，标记会显示在这里。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not checked yet</source>
        <translation>尚未检查</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This call has not been checked against the service-language rulebook.</source>
        <translation>本通话尚未按服务用语规则库进行检查。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check now</source>
        <translation>立即检查</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No flags: this call meets the standard</source>
        <translation>无标记：本通话符合规范</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Checked with {0} (version {1}) on {2}.</source>
        <translation>已于 {2} 使用 {0}（版本 {1}）检查。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checked on {0}.</source>
        <translation>已于 {0} 检查。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>checking again…</source>
        <translation>正在重新检查…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0} · {1} open</source>
        <translation>{0} 条 · {1} 条待处理</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Flag confirmed by {0}.</source>
        <translation>标记已由 {0} 确认。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Flag reopened by {0}.</source>
        <translation>标记已由 {0} 重新打开。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Flag dismissed by {0}.</source>
        <translation>标记已由 {0} 驳回。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Note added by {0}.</source>
        <translation>{0} 已添加备注。</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>The decision was not saved: {0}</source>
        <translation>判定未保存：{0}</translation>
    </message>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="+63"/>
        <source>Reason: {0}</source>
        <translation>原因：{0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note: {0}</source>
        <translation>备注：{0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No longer found by the current rulebook</source>
        <translation>当前规则库已不再检出</translation>
    </message>
</context>
<context>
    <name>FormBuilder</name>
    <message>
        <location filename="../../qa_desk/ui/form_builder.py" line="+84"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The preview appears as soon as the form has no problems.</source>
        <translation>质检表没有问题后即会显示预览。</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Form</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Add section</source>
        <translation>添加板块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add item</source>
        <translation>添加评分项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move up (Alt+Up)</source>
        <translation>上移（Alt+Up）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Move down (Alt+Down)</source>
        <translation>下移（Alt+Down）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Sections and items (drag to reorder):</source>
        <translation>板块与评分项（拖动可调整顺序）：</translation>
    </message>
    <message>
        <location line="+29"/>
        <location line="+147"/>
        <source>Selected</source>
        <translation>所选内容</translation>
    </message>
    <message>
        <location line="-144"/>
        <source>Select a section or an item to edit it, or add one below the list.</source>
        <translation>选择板块或评分项即可编辑，也可在列表下方添加新的板块或评分项。</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>New form</source>
        <translation>新建质检表</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The preview shows the form before its last change, which has problems.</source>
        <translation>预览显示的是最近一次修改之前的质检表，该次修改存在问题。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only a team lead or an admin saves forms</source>
        <translation>仅组长或管理员可保存质检表</translation>
    </message>
    <message numerus="yes">
        <location line="+22"/>
        <source>%n problem(s) to correct before saving:</source>
        <translation>
            <numerusform>保存前需修正 %n 个问题：</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No problems: the form can be saved.</source>
        <translation>没有问题：可以保存质检表。</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Section</source>
        <translation>板块</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Item</source>
        <translation>评分项</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Remove section?</source>
        <translation>移除板块？</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Remove the section &quot;{0}&quot; and its %n item(s)?</source>
        <translation>
            <numerusform>移除板块“{0}”及其 %n 个评分项？</numerusform>
        </translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Correct the problems listed first.</source>
        <translation>请先修正列出的问题。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>This content is already stored as version {0} of {1}: nothing new to save.</source>
        <translation>此内容已存储为 {1} 的版本 {0}：没有需要保存的新内容。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Save a new version?</source>
        <translation>保存新版本？</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>This form is used by %n evaluation(s). Saving creates version {0}; those evaluations keep version {1}.</source>
        <translation>
            <numerusform>此质检表已被 %n 份评估使用。保存将创建版本 {0}；这些评估仍沿用版本 {1}。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The form could not be saved: {0}</source>
        <translation>无法保存质检表：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saved as a new form, {0} version 1; {1} is unchanged.</source>
        <translation>已另存为新质检表 {0} 版本 1；{1} 保持不变。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Saved {0} as version 1.</source>
        <translation>已将 {0} 保存为版本 1。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved {0} as version {1}.</source>
        <translation>已将 {0} 保存为版本 {1}。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Discard changes?</source>
        <translation>放弃更改？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your changes to this form are not saved. Discard them?</source>
        <translation>您对此质检表的更改尚未保存。要放弃这些更改吗？</translation>
    </message>
</context>
<context>
    <name>FormFields</name>
    <message>
        <location filename="../../qa_desk/ui/form_editors.py" line="+298"/>
        <source>e.g. hotline-zh</source>
        <translation>例如 hotline-zh</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Left out of the maximum</source>
        <translation>不计入满分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Count as full points</source>
        <translation>按满分计</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Points (sections add up)</source>
        <translation>分值（各板块相加）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weights (sections share 100 %)</source>
        <translation>权重（各板块合计 100 %）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Optional: the points the sections must add up to</source>
        <translation>可选：各板块分值相加须等于的总分</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Key:</source>
        <translation>标识：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Description:</source>
        <translation>说明：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>N/A answers:</source>
        <translation>不适用的作答：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Scoring:</source>
        <translation>计分方式：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Total:</source>
        <translation>总分：</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>{0} is the key of another form ({1}): saving adds a version to it.</source>
        <translation>{0} 是另一份质检表（{1}）的标识：保存后将为其新增一个版本。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A new key makes a new form; {0} stays as it is.</source>
        <translation>新标识将创建一份新的质检表；{0} 保持不变。</translation>
    </message>
</context>
<context>
    <name>FormPartPicker</name>
    <message>
        <location filename="../../qa_desk/ui/form_part_picker.py" line="+57"/>
        <source>Nothing in particular</source>
        <translation>不指定</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Choose a section first</source>
        <translation>请先选择板块</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The whole section</source>
        <translation>整个板块</translation>
    </message>
</context>
<context>
    <name>FormPreview</name>
    <message>
        <location filename="../../qa_desk/ui/form_preview.py" line="+190"/>
        <source>N/A answers leave the item out of the maximum.</source>
        <translation>作答“不适用”的评分项不计入满分。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>N/A answers count as full points.</source>
        <translation>作答“不适用”按满分计。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scored out of 100: each section&apos;s percentage counts for its weight. {0}</source>
        <translation>满分 100 分：每个板块的得分百分比按其权重计入。{0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scored out of {0} points. {1}</source>
        <translation>满分 {0} 分。{1}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Total: 100 (weights {0} %)</source>
        <translation>总分：100（权重 {0} %）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Total: {0} points</source>
        <translation>总分：{0} 分</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>weight {0} % · {1} points</source>
        <translation>权重 {0} % · {1} 分</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+17"/>
        <source>{0} points</source>
        <translation>{0} 分</translation>
    </message>
    <message>
        <location line="-15"/>
        <source>bonus up to {0}</source>
        <translation>加分上限 {0}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>+{0} bonus</source>
        <translation>+{0} 加分</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Critical: fails the section</source>
        <translation>致命项：板块不合格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Critical: fails the evaluation</source>
        <translation>致命项：评估不合格</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Bonus</source>
        <translation>加分项</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Partial</source>
        <translation>部分符合</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>N/A</source>
        <translation>不适用</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not applicable to this call</source>
        <translation>不适用于此通话</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Earns {0} points</source>
        <translation>得 {0} 分</translation>
    </message>
</context>
<context>
    <name>FormTree</name>
    <message>
        <location filename="../../qa_desk/ui/form_tree.py" line="+172"/>
        <source>{0} points</source>
        <translation>{0} 分</translation>
    </message>
</context>
<context>
    <name>FormsPage</name>
    <message>
        <location filename="../../qa_desk/ui/forms_page.py" line="+85"/>
        <location line="+60"/>
        <location line="+191"/>
        <source>New form</source>
        <translation>新建质检表</translation>
    </message>
    <message>
        <location line="-249"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+56"/>
        <source>Import YAML…</source>
        <translation>导入 YAML…</translation>
    </message>
    <message>
        <location line="-54"/>
        <source>Export YAML…</source>
        <translation>导出 YAML…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluation forms</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Forms (newest version of each):</source>
        <translation>质检表（各表的最新版本）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Versions of the selected form:</source>
        <translation>所选质检表的版本：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Select a form to see it as reviewers will.</source>
        <translation>选择一份质检表，即可查看质检员所见的样式。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No evaluation forms yet</source>
        <translation>尚无质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+175"/>
        <source>Reviewers score calls on a form: sections of questions, each with its answers and points. Click New form to build one, or Import YAML… to bring in a form file.</source>
        <translation>质检员依据质检表为通话评分：质检表由若干板块的问题组成，每个问题都有各自的答案和分值。点击“新建质检表”创建一份，或点击“导入 YAML…”导入质检表文件。</translation>
    </message>
    <message>
        <location line="-168"/>
        <source>Reading the forms…</source>
        <translation>正在读取质检表…</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>Some shipped forms could not be stored: {0}</source>
        <translation>部分内置质检表未能保存：{0}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The forms could not be read: {0}</source>
        <translation>无法读取质检表：{0}</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>version {0}</source>
        <translation>版本 {0}</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <location line="+32"/>
        <source>used by %n evaluation(s)</source>
        <translation>
            <numerusform>已用于 %n 份评估</numerusform>
        </translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Version {0}</source>
        <translation>版本 {0}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Version {0}: an older version, kept for the evaluations scored on it (the newest is {1}).</source>
        <translation>版本 {0}：旧版本，为基于该版本评分的评估而保留（最新版本为 {1}）。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Only a team lead or an admin edits forms</source>
        <translation>仅组长或管理员可编辑质检表</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Reviewers score calls on a form: sections of questions, each with its answers and points. A team lead or an administrator builds the forms, or imports them from a file.</source>
        <translation>质检员依据质检表为通话评分：质检表由若干板块的问题组成，每个问题都有各自的答案和分值。质检表由组长或管理员创建，或从文件导入。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Editing {0} ({1}, version {2})</source>
        <translation>正在编辑 {0}（{1}，版本 {2}）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{0} (copy)</source>
        <translation>{0}（副本）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy of {0}</source>
        <translation>{0} 的副本</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Import a form</source>
        <translation>导入质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forms (*.yaml *.yml);;All files (*)</source>
        <translation>质检表 (*.yaml *.yml);;所有文件 (*)</translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>{0} was not imported: %n problem(s) to correct in the file first.</source>
        <translation>
            <numerusform>{0} 未导入：文件中有 %n 个问题需先修正。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Imported from {0}</source>
        <translation>从 {0} 导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Check the form, then Save to store it.</source>
        <translation>请核对质检表，然后点击“保存”将其存储。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Export the form</source>
        <translation>导出质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forms (*.yaml *.yml)</source>
        <translation>质检表 (*.yaml *.yml)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Could not write {0}: {1}</source>
        <translation>无法写入 {0}：{1}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported {0} version {1} to {2}.</source>
        <translation>已将 {0} 版本 {1} 导出至 {2}。</translation>
    </message>
</context>
<context>
    <name>Import</name>
    <message>
        <location filename="../../qa_desk/importing/importer.py" line="-204"/>
        <source>Looking for recordings…</source>
        <translation>正在查找录音…</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Attaching {n} transcripts to calls already imported…</source>
        <translation>正在为已导入的通话附加 {n} 份转写文本…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Importing {n} recordings…</source>
        <translation>正在导入 {n} 个录音…</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>{file}: import cancelled; import again to add it</source>
        <translation>{file}: 导入已取消；重新导入即可添加</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{file}: not a recording; a transcript file is attached when the recording of the same name beside it is imported (or with &apos;qa-desk transcript import&apos;)</source>
        <translation>{file}: 不是录音；转写文件会在旁边同名录音导入时一并附加（或使用“qa-desk transcript import”）</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>the call was deleted meanwhile</source>
        <translation>通话在此期间已被删除</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/report.py" line="+28"/>
        <source>{file}: imported ({seconds} s)</source>
        <translation>{file}: 已导入（{seconds} 秒）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{file}: already in the library as {known_as}</source>
        <translation>{file}: 已在通话库中，名为 {known_as}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{file}: already in the library</source>
        <translation>{file}: 已在通话库中</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{message}; transcript attached ({files})</source>
        <translation>{message}；已附加转写文本（{files}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{message}; transcript not attached: {problem}</source>
        <translation>{message}；未附加转写文本：{problem}</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>{imported} imported, {known} already known, {failed} failed, {skipped} skipped</source>
        <translation>已导入 {imported} 个，已存在 {known} 个，失败 {failed} 个，跳过 {skipped} 个</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{n} transcript attached</source>
        <translation>已附加 {n} 份转写文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} transcripts attached</source>
        <translation>已附加 {n} 份转写文本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} transcript not attached</source>
        <translation>{n} 份转写文本未附加</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{n} transcripts not attached</source>
        <translation>{n} 份转写文本未附加</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{counts}; {transcripts}</source>
        <translation>{counts}；{transcripts}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{summary} (cancelled)</source>
        <translation>{summary}（已取消）</translation>
    </message>
    <message>
        <location filename="../../qa_desk/importing/sources.py" line="-43"/>
        <source>{file}: not a recording file type, skipped</source>
        <translation>{file}: 不是录音文件类型，已跳过</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../qa_desk/ui/import_dialog.py" line="+79"/>
        <source>Import recordings</source>
        <translation>导入录音</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import more…</source>
        <translation>继续导入…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Drop recordings or folders here</source>
        <translation>将录音或文件夹拖放到此处</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Recordings</source>
        <translation>录音</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>None — call details come from the file names</source>
        <translation>无 — 通话信息取自文件名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Read agent, start time and customer from the file names</source>
        <translation>从文件名读取坐席、开始时间和客户</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Left</source>
        <translation>左声道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Right</source>
        <translation>右声道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mono (mixed)</source>
        <translation>单声道（混合）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Call details</source>
        <translation>通话信息</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Metadata sheet (CSV/XLSX):</source>
        <translation>元数据表（CSV/XLSX）：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>File-name pattern:</source>
        <translation>文件名模式：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Agent&apos;s channel:</source>
        <translation>坐席声道：</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>Choose recordings</source>
        <translation>选择录音</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recordings ({0});;All files (*)</source>
        <translation>录音 ({0});;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose a folder of recordings</source>
        <translation>选择录音文件夹</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose the call recorder&apos;s metadata sheet</source>
        <translation>选择录音系统导出的元数据表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Metadata sheets (*.csv *.xlsx);;All files (*)</source>
        <translation>元数据表 (*.csv *.xlsx);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Add recordings or a folder of recordings first.</source>
        <translation>请先添加录音或录音文件夹。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The file-name pattern is not valid; correct it or untick “Read … from the file names”.</source>
        <translation>文件名模式无效；请修正，或取消勾选“从文件名读取…”。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The metadata sheet does not exist: {0}</source>
        <translation>元数据表不存在：{0}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Could not remember the columns: {0}</source>
        <translation>无法保存列对应关系：{0}</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Starting the import…</source>
        <translation>正在开始导入…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cancelling after the current file…</source>
        <translation>将在当前文件完成后取消…</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+10"/>
        <source>Import cancelled.</source>
        <translation>导入已取消。</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>Import finished.</source>
        <translation>导入完成。</translation>
    </message>
</context>
<context>
    <name>ImportReportModel</name>
    <message>
        <location filename="../../qa_desk/ui/import_report.py" line="+55"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Imported</source>
        <translation>已导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Already known</source>
        <translation>已存在</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Already in the library</source>
        <translation>已在通话库中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not an audio file</source>
        <translation>不是音频文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not a recording file type</source>
        <translation>不是录音文件类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Empty or silent file</source>
        <translation>空文件或全程静默</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Needs FFmpeg to decode</source>
        <translation>需要 FFmpeg 才能解码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No call details for this file</source>
        <translation>此文件没有通话信息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call details unusable</source>
        <translation>通话信息无法使用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No such file or folder</source>
        <translation>文件或文件夹不存在</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot read the file</source>
        <translation>无法读取文件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>{0} imported, {1} already known, {2} failed, {3} skipped</source>
        <translation>已导入 {0} 个，已存在 {1} 个，失败 {2} 个，跳过 {3} 个</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> — cancelled</source>
        <translation> — 已取消</translation>
    </message>
</context>
<context>
    <name>ImportReportPanel</name>
    <message>
        <location line="+56"/>
        <source>Copy report</source>
        <translation>复制报告</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Select a line to read its whole message.</source>
        <translation>选择一行即可查看完整信息。</translation>
    </message>
</context>
<context>
    <name>ItemEditor</name>
    <message>
        <location filename="../../qa_desk/ui/form_editors.py" line="-207"/>
        <source>e.g. greeting</source>
        <translation>例如 greeting</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What the reviewer should listen for (optional)</source>
        <translation>质检员应重点听取的内容（可选）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Yes / No</source>
        <translation>是 / 否</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Yes / Partial / No</source>
        <translation>是 / 部分符合 / 否</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scale from 0 to N</source>
        <translation>0 至 N 分级</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>0 to </source>
        <translation>0 至 </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The share of the item&apos;s points a &quot;partial&quot; answer earns</source>
        <translation>“部分符合”作答可得该评分项分值的比例</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>N/A allowed</source>
        <translation>允许不适用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bonus item</source>
        <translation>加分项</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A bonus adds points but no maximum: it can make up for points lost elsewhere in its section</source>
        <translation>加分项只加分、不计入满分：可弥补本板块其他评分项的失分</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not critical</source>
        <translation>非致命项</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Fails its section</source>
        <translation>所在板块不得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fails the whole evaluation</source>
        <translation>整份评估不得分</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Rule ids, comma-separated, e.g. zh-greeting-01</source>
        <translation>规则 ID，以逗号分隔，例如 zh-greeting-01</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rulebook rules whose flags suggest this item&apos;s answer</source>
        <translation>规则库中的规则，其标记可提示本评分项的答案</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Key:</source>
        <translation>标识：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Question:</source>
        <translation>问题：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Guidance:</source>
        <translation>评分指引：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Answer:</source>
        <translation>作答方式：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scale:</source>
        <translation>分级：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Partial earns:</source>
        <translation>部分符合得分：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Points:</source>
        <translation>分值：</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Critical:</source>
        <translation>致命项：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Linked rules:</source>
        <translation>关联规则：</translation>
    </message>
</context>
<context>
    <name>ItemRow</name>
    <message>
        <location filename="../../qa_desk/ui/evaluation_items.py" line="+52"/>
        <source>Critical: a failing answer zeroes this section.</source>
        <translation>致命项：作答不合格时，本板块计 0 分。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Critical: a failing answer zeroes the whole evaluation.</source>
        <translation>致命项：作答不合格时，整份评估计 0 分。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Bonus: adds points, never needed.</source>
        <translation>加分项：额外加分，非必需。</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Comment on this item…</source>
        <translation>为此评分项添加备注…</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Partial</source>
        <translation>部分符合</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+45"/>
        <source>N/A</source>
        <translation>不适用</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Suggested: {0}</source>
        <translation>建议：{0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>see the flag ({0})</source>
        <translation>查看标记（{0}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no flag of its rules in this call</source>
        <translation>本通话中无相关规则的标记</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>you answered {0}</source>
        <translation>您的作答：{0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>– / {0}</source>
        <translation>– / {0}</translation>
    </message>
</context>
<context>
    <name>JobProgress</name>
    <message>
        <location filename="../../qa_desk/ui/job_progress.py" line="+30"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
</context>
<context>
    <name>JobRunner</name>
    <message>
        <location filename="../../qa_desk/ui/jobs.py" line="+37"/>
        <source>The disk is full: free some space or choose another folder, then try again.</source>
        <translation>磁盘已满：请释放一些空间或选择其他文件夹，然后重试。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>QA Desk may not write there: choose another folder, or ask your administrator for access.</source>
        <translation>QA Desk 无权写入该位置：请选择其他文件夹，或请管理员开通访问权限。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check that the folder still exists and that its drive or network share is connected, then try again.</source>
        <translation>请检查该文件夹是否仍然存在、其所在磁盘或网络共享是否已连接，然后重试。</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Unexpected error ({0}): {1}. Try again; if it happens again, tell your administrator what you were doing and when.</source>
        <translation>意外错误（{0}）：{1}。请重试；如果再次出现，请告诉管理员您当时在做什么以及发生的时间。</translation>
    </message>
</context>
<context>
    <name>Jobs</name>
    <message>
        <location filename="../../qa_desk/audio/vad.py" line="+219"/>
        <source>Finding speech and silence</source>
        <translation>正在查找说话和静默</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <location filename="../../qa_desk/ui/jobs_panel.py" line="+60"/>
        <source>Transcription jobs</source>
        <translation>转写任务</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Cancel selected</source>
        <translation>取消所选</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel all</source>
        <translation>全部取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry selected</source>
        <translation>重试所选</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Retry all failed</source>
        <translation>重试全部失败项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear finished</source>
        <translation>清除已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the selected calls; a call being transcribed stops within a second</source>
        <translation>停止所选通话的转写；正在转写的通话会在一秒内停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queue the selected failed or cancelled calls again</source>
        <translation>将所选的失败或已取消通话重新加入队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove finished jobs from this list (transcripts stay)</source>
        <translation>从列表中移除已完成的任务（转写文本保留）</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Calls are transcribed when you choose Transcribe: in Calls, for the calls selected (or every call not transcribed yet), or in a call you opened. Each one then shows here with its progress; double-click it to open the call.</source>
        <translation>选择“转写”后通话才会被转写：可在“通话”中对所选通话（或所有尚未转写的通话）执行，也可在打开的通话中执行。每通通话随后会连同进度显示在这里；双击即可打开该通话。</translation>
    </message>
    <message>
        <location line="+76"/>
        <location line="+3"/>
        <source>No transcription jobs</source>
        <translation>没有转写任务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All queued calls are finished.</source>
        <translation>队列中的通话均已完成。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} of {1} calls finished</source>
        <translation>已完成 {0}/{1} 个通话</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0} transcribing</source>
        <translation>{0} 个转写中</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Transcribing</source>
        <translation>转写中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Transcription</source>
        <translation>转写</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Transcription: {0} of {1}</source>
        <translation>转写：{0}/{1}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Transcription: {0} failed</source>
        <translation>转写：{0} 个失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcription: done</source>
        <translation>转写：已完成</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>less than a minute left</source>
        <translation>剩余不到 1 分钟</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>about {0} min left</source>
        <translation>约剩 {0} 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>about {0} h {1} min left</source>
        <translation>约剩 {0} 小时 {1} 分钟</translation>
    </message>
</context>
<context>
    <name>JobsTableModel</name>
    <message>
        <location filename="../../qa_desk/ui/jobs_model.py" line="+55"/>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Worker</source>
        <translation>进程</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Finished</source>
        <translation>完成时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Transcribing</source>
        <translation>转写中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../qa_desk/ui/main_window.py" line="+82"/>
        <location line="+505"/>
        <source>QA Desk</source>
        <translation>QA Desk</translation>
    </message>
    <message>
        <location line="-482"/>
        <source>Calls</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Review</source>
        <translation>质检</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scorecards</source>
        <translation>评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clips</source>
        <translation>片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forms</source>
        <translation>质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import recordings…</source>
        <translation>导入录音(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load &amp;sample calls</source>
        <translation>加载示例通话(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Export scorecards…</source>
        <translation>导出评分卡(&amp;E)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search this call&apos;s transcript, or the calls or clips listed</source>
        <translation>搜索本通话的转写文本，或搜索列出的通话或片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search what was &amp;said…</source>
        <translation>搜索说过的话(&amp;S)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Transcription jobs</source>
        <translation>转写任务(&amp;T)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Full screen</source>
        <translation>全屏(&amp;F)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;About QA Desk</source>
        <translation>关于 QA Desk(&amp;A)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>About &amp;Qt</source>
        <translation>关于 Qt(&amp;Q)</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Show or hide the transcription jobs (Ctrl+J)</source>
        <translation>显示或隐藏转写任务 (Ctrl+J)</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Signed in: {0} ({1})</source>
        <translation>已登录：{0}（{1}）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Database: {0}</source>
        <translation>数据库：{0}</translation>
    </message>
    <message>
        <location line="+78"/>
        <source>Scorecards are exported from here once a period with submitted evaluations is shown.</source>
        <translation>显示含已提交评估的周期后，即可在此导出评分卡。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Opening call {0}: {1}</source>
        <translation>正在打开通话 {0}：{1}</translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Call {0} could not be checked against the rulebook.</source>
        <translation>通话 {0} 未能完成规则库检测。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checking calls against the rulebook…</source>
        <translation>正在按规则库检查通话…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The calls could not be checked against the rulebook.</source>
        <translation>未能对这些通话完成规则库检测。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Correct the problem, then use “Check calls now” in Settings → Service-language rulebook.</source>
        <translation>请先解决该问题，然后在“设置 → 服务用语规则库”中点击“立即检查通话”。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Rulebook check cancelled. The calls checked so far keep their flags; “Check calls now” in Settings → Service-language rulebook checks the rest.</source>
        <translation>规则库检查已取消。已检查的通话保留其标记；在“设置 → 服务用语规则库”中点击“立即检查通话”可检查其余通话。</translation>
    </message>
    <message>
        <location line="+41"/>
        <location line="+8"/>
        <source>Loading the sample calls…</source>
        <translation>正在加载示例通话…</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Loading the sample calls was cancelled: {0} imported. Load them again to add the rest.</source>
        <translation>示例通话加载已取消：已导入 {0} 通。再次加载即可添加其余通话。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sample calls: {0} imported, {1} already in the library, {2} failed.</source>
        <translation>示例通话：已导入 {0} 个，{1} 个已在通话库中，{2} 个失败。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Some sample calls could not be loaded.</source>
        <translation>部分示例通话无法加载。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Loading the sample calls was cancelled; nothing was imported.</source>
        <translation>示例通话加载已取消；未导入任何通话。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The sample calls could not be loaded.</source>
        <translation>无法加载示例通话。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Transcription could not start: {0}</source>
        <translation>无法开始转写：{0}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>1 call left unfinished by the last session is queued again.</source>
        <translation>上次运行时未完成的 1 个通话已重新排队。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} calls left unfinished by the last session are queued again.</source>
        <translation>上次运行时未完成的 {0} 个通话已重新排队。</translation>
    </message>
    <message>
        <location line="+64"/>
        <location line="+8"/>
        <source>Connecting to {0}…</source>
        <translation>正在连接 {0}…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Now using {0}.</source>
        <translation>现在使用 {0}。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Still using {0}: {1}</source>
        <translation>仍在使用 {0}：{1}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>About QA Desk</source>
        <translation>关于 QA Desk</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>QA Desk {0}</source>
        <translation>QA Desk {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quality assurance and call monitoring for contact centres.

Database in use: {0}</source>
        <translation>面向呼叫中心的质检与通话监控工具。

当前使用的数据库：{0}</translation>
    </message>
</context>
<context>
    <name>ModelDownloadDialog</name>
    <message>
        <location filename="../../qa_desk/ui/model_download_dialog.py" line="+58"/>
        <source>Download a speech model</source>
        <translation>下载语音模型</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Downloading…</source>
        <translation>正在下载…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unpacking…</source>
        <translation>正在解压…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copying…</source>
        <translation>正在复制…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Or a model URL:</source>
        <translation>或输入模型 URL：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Download failed</source>
        <translation>下载失败</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Download cancelled. What was downloaded is kept: downloading the same model again resumes it.</source>
        <translation>下载已取消。已下载的部分会保留：再次下载同一模型时将从中断处继续。</translation>
    </message>
</context>
<context>
    <name>MyQueueView</name>
    <message>
        <location filename="../../qa_desk/ui/review_queue.py" line="+102"/>
        <source>Show done</source>
        <translation>显示已完成</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Due</source>
        <translation>截止</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why this call</source>
        <translation>抽样原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sampling rules</source>
        <translation>抽样规则</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show done calls</source>
        <translation>显示已完成的通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Go to Calls</source>
        <translation>前往“通话”</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Nobody is signed in</source>
        <translation>尚未登录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign in to see the calls assigned to you.</source>
        <translation>登录后即可查看分配给您的通话。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every call in your queue is done</source>
        <translation>您队列中的通话已全部完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Done calls are hidden: tick “Show done” to see them again. New calls arrive when a sampling rule is run; meanwhile, pick any call in Calls.</source>
        <translation>已完成的通话已隐藏：勾选“显示已完成”即可再次查看。执行抽样规则后会有新的通话进来；在此之前，可在“通话”中任选一通通话。</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+5"/>
        <source>No calls in your queue</source>
        <translation>您的队列中没有通话</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Calls reach a queue when a sampling rule is run: set one up in Sampling rules and run it for this month. Meanwhile, pick any call in Calls and score it.</source>
        <translation>执行抽样规则后，通话才会进入队列：请在“抽样规则”中设置一条规则并针对本月执行。在此之前，可在“通话”中任选一通通话评分。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your team lead assigns calls to you with a sampling rule. Meanwhile, pick any call in Calls and score it: open it, then use its Evaluation tab.</source>
        <translation>组长通过抽样规则为您分配通话。在此之前，可在“通话”中任选一通通话评分：打开通话，再使用其“评估”页签。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No review queue for your role</source>
        <translation>您的角色没有质检队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queues hold the calls reviewers and team leads are to score; your role does not score calls. See how far the reviewers are in Overview.</source>
        <translation>队列中是质检员和组长待评分的通话；您的角色不为通话评分。可在“概览”中查看质检员的进度。</translation>
    </message>
    <message>
        <location line="-85"/>
        <source>Double-click a call to open it and score it; it counts as done once you submit.</source>
        <translation>双击通话即可打开并评分；提交后即计为已完成。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Calls assigned to {0}</source>
        <translation>分配给 {0} 的通话</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{0} of {1} done this month</source>
        <translation>本月已完成 {0} / {1}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} overdue</source>
        <translation>逾期 {0} 条</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The queue could not be read: {0}</source>
        <translation>无法读取队列：{0}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To do</source>
        <translation>待质检</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="+176"/>
        <source>Note on flag</source>
        <translation>标记备注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What should be remembered about this flag?</source>
        <translation>关于此标记，需要记下什么？</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Last note: {0}</source>
        <translation>上次备注：{0}</translation>
    </message>
</context>
<context>
    <name>PatternEdit</name>
    <message>
        <location filename="../../qa_desk/ui/pattern_edit.py" line="+52"/>
        <source>Valid pattern. Choose recordings to preview what it reads.</source>
        <translation>模式有效。选择录音即可预览解析结果。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Enter a pattern, e.g. {0}</source>
        <translation>请输入模式，例如 {0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Invalid pattern: {0}</source>
        <translation>模式无效：{0}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>“{0}” does not match this pattern.</source>
        <translation>“{0}”与此模式不匹配。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>agent ID</source>
        <translation>工号</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>start</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>direction</source>
        <translation>呼叫方向</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>queue</source>
        <translation>技能队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>nothing</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>“{0}”
→ {1}</source>
        <translation>“{0}”
→ {1}</translation>
    </message>
</context>
<context>
    <name>Permissions</name>
    <message>
        <location filename="../../qa_desk/permissions.py" line="-43"/>
        <source>reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>team lead</source>
        <translation>组长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>trainer</source>
        <translation>培训师</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>manager</source>
        <translation>经理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>score calls</source>
        <translation>为通话评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>acknowledge evaluations</source>
        <translation>确认评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>dispute evaluations</source>
        <translation>对评估提出申诉</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>resolve disputed evaluations</source>
        <translation>处理评估申诉</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>decide on flags</source>
        <translation>处理标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>edit forms</source>
        <translation>编辑质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>edit rulebooks</source>
        <translation>编辑规则库</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>manage clips and playlists</source>
        <translation>管理片段和播放列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>export clips</source>
        <translation>导出片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>view scorecards</source>
        <translation>查看评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>export scorecards</source>
        <translation>导出评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>manage sampling and the review queue</source>
        <translation>管理抽样和质检队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>manage calibration sessions</source>
        <translation>管理校准会话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>score calibration sessions</source>
        <translation>为校准会话评分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>view the audit log</source>
        <translation>查看审计日志</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>manage users</source>
        <translation>管理用户</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Cannot {action}: nobody is signed in. Sign in first.</source>
        <translation>无法{action}：当前没有用户登录。请先登录。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{name} ({role}) may not {action}: that needs the role: {roles}. Ask an administrator for that role, or sign in as someone who has it.</source>
        <translation>{name}（{role}）无权{action}：需要以下角色：{roles}。请让管理员分配该角色，或以具有该角色的用户登录。</translation>
    </message>
</context>
<context>
    <name>PlayerBar</name>
    <message>
        <location filename="../../qa_desk/ui/player_bar.py" line="+51"/>
        <location line="+76"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>Play or pause (Space)</source>
        <translation>播放或暂停（Space）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>{0}×</source>
        <translation>{0}×</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Playback speed; the pitch stays natural ([ and ])</source>
        <translation>播放速度，音调保持自然（[ 和 ]）</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+33"/>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <location line="-30"/>
        <source>Both</source>
        <translation>双方</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hear both sides, or only the agent or the customer</source>
        <translation>收听双方，或仅收听坐席或客户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loop selection</source>
        <translation>循环播放选区</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Drag across the waveform to select a span, then loop it</source>
        <translation>在波形上拖动选择一段区间，然后循环播放</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keyboard shortcuts (F1)</source>
        <translation>键盘快捷键（F1）</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Speed</source>
        <translation>倍速</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Listen to</source>
        <translation>收听</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>No audio output device: connect speakers or a headset, then press Play.</source>
        <translation>没有音频输出设备：请连接扬声器或耳机，然后点击“播放”。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sound is not available on this computer (the PortAudio library is missing).</source>
        <translation>此电脑无法播放声音（缺少 PortAudio 库）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The audio device stopped (unplugged?). Press Play to carry on.</source>
        <translation>音频设备已停止（是否已拔出？）。请点击“播放”继续。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot play: {0}</source>
        <translation>无法播放：{0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The waveform, transcript and metrics still work.</source>
        <translation>波形、转写文本和指标仍可正常使用。</translation>
    </message>
</context>
<context>
    <name>PlaylistPanel</name>
    <message>
        <location filename="../../qa_desk/ui/playlist_panel.py" line="+49"/>
        <source>Playlists</source>
        <translation>播放列表</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>New…</source>
        <translation>新建…</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+86"/>
        <source>A new playlist</source>
        <translation>新建播放列表</translation>
    </message>
    <message>
        <location line="-85"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+86"/>
        <source>Rename this playlist</source>
        <translation>重命名此播放列表</translation>
    </message>
    <message>
        <location line="-85"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+86"/>
        <source>Delete this playlist (its clips stay)</source>
        <translation>删除此播放列表（其中的片段保留）</translation>
    </message>
    <message>
        <location line="-77"/>
        <source>Drag a clip up or down to change the order</source>
        <translation>上下拖动片段可调整顺序</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Note for this clip in the session (Enter to keep it)</source>
        <translation>此片段在本次培训中的备注（按 Enter 保存）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>+ Add chosen clip</source>
        <translation>+ 添加所选片段</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add the clip chosen in the library at the end of this playlist</source>
        <translation>将通话库中所选的片段添加到此播放列表末尾</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Play all</source>
        <translation>全部播放</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Only a trainer or an admin changes playlists</source>
        <translation>仅培训师或管理员可以修改播放列表</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Only a trainer, a manager or an admin exports playlists</source>
        <translation>仅培训师、经理或管理员可以导出播放列表</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This playlist has no clips yet, and the library has none to add: save moments of calls with “Save as clip…” first, then add them here.</source>
        <translation>此播放列表还没有片段，片段库中也没有可添加的片段：请先用“保存为片段…”保存通话中的片刻，再添加到这里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This playlist has no clips yet. Choose a clip in the library, then “+ Add chosen clip”.</source>
        <translation>此播放列表还没有片段。请在片段库中选择一个片段，然后点击“+ 添加所选片段”。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This playlist has no clips yet; a trainer adds them.</source>
        <translation>此播放列表还没有片段；片段由培训师添加。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No playlists yet. A playlist is the clips of one training session, in the order they are played: trainers make them, and everyone can play them here.</source>
        <translation>暂无播放列表。播放列表即一次培训课中的片段，按播放顺序排列：由培训师制作，所有人都可以在这里播放。</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>{0}  ({1} clips, {2})</source>
        <translation>{0}  （{1} 个片段，{2}）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The playlist was not changed: {0}</source>
        <translation>播放列表未更改：{0}</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>No playlists yet. A playlist is the clips of one training session, in the order you will play them: start one with New…</source>
        <translation>暂无播放列表。播放列表即一次培训课中的片段，按您播放的顺序排列：点击“新建…”创建一个。</translation>
    </message>
    <message>
        <location line="+131"/>
        <source>New playlist</source>
        <translation>新建播放列表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name of the training session:</source>
        <translation>培训课名称：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Rename playlist</source>
        <translation>重命名播放列表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Delete playlist</source>
        <translation>删除播放列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the playlist “{0}”? Its clips stay in the library.</source>
        <translation>要删除播放列表“{0}”吗？其中的片段仍保留在通话库中。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Choose a clip in the library first.</source>
        <translation>请先在通话库中选择一个片段。</translation>
    </message>
</context>
<context>
    <name>QADeskApp</name>
    <message>
        <location filename="../../qa_desk/app.py" line="+75"/>
        <location line="+9"/>
        <source>QA Desk</source>
        <translation>QA Desk</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Your settings could not be read.</source>
        <translation>无法读取您的设置。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0}

QA Desk starts with the default settings. Saving settings replaces the file.</source>
        <translation>{0}

QA Desk 将以默认设置启动。保存设置会替换该文件。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>QA Desk cannot open its database.</source>
        <translation>QA Desk 无法打开其数据库。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Use local database</source>
        <translation>使用本地数据库</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>QA Desk settings</source>
        <translation>QA Desk 设置</translation>
    </message>
</context>
<context>
    <name>ReviewOverview</name>
    <message>
        <location filename="../../qa_desk/ui/review_overview.py" line="+50"/>
        <source>2026-11, 2026-Q4, 2026-W44</source>
        <translation>2026-11, 2026-Q4, 2026-W44</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show</source>
        <translation>查看</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+4"/>
        <source>Reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+2"/>
        <source>Assigned</source>
        <translation>已分配</translation>
    </message>
    <message>
        <location line="-2"/>
        <location line="+2"/>
        <location line="+87"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="-89"/>
        <location line="+2"/>
        <source>Open</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+2"/>
        <location line="+85"/>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location line="-86"/>
        <location line="+2"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Due</source>
        <translation>截止</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+133"/>
        <source>Reassign…</source>
        <translation>重新分配…</translation>
    </message>
    <message>
        <location line="-131"/>
        <location line="+132"/>
        <location line="+30"/>
        <source>Take out of queue</source>
        <translation>移出队列</translation>
    </message>
    <message>
        <location line="-158"/>
        <source>Period:</source>
        <translation>周期：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Per reviewer</source>
        <translation>按质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Per agent</source>
        <translation>按坐席</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Queued calls</source>
        <translation>队列中的通话</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Sampling rules</source>
        <translation>抽样规则</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show the previous period</source>
        <translation>查看上一周期</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Not a period: {0}</source>
        <translation>不是有效的周期：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The overview could not be read: {0}</source>
        <translation>无法读取概览：{0}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>To do</source>
        <translation>待质检</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{0} calls queued in {1}, {2} done, {3} overdue</source>
        <translation>{1}：队列中共 {0} 个通话，已完成 {2} 条，逾期 {3} 条</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No calls queued in {0}</source>
        <translation>{0} 没有排队的通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calls reach the reviewers&apos; queues when a sampling rule is run for a period. Set up a rule in Sampling rules and run it, or look at another period.</source>
        <translation>针对某个周期执行抽样规则后，通话才会进入质检员的队列。请在“抽样规则”中设置一条规则并执行，或查看其他周期。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calls reach the reviewers&apos; queues when a team lead runs a sampling rule for a period; none was run for this one. Look at another period.</source>
        <translation>组长针对某个周期执行抽样规则后，通话才会进入质检员的队列；本周期尚未执行过。请查看其他周期。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Only a lead or an admin can move queued calls</source>
        <translation>仅组长或管理员可调整队列中的通话</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Open call</source>
        <translation>打开通话</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Reassign call</source>
        <translation>重新分配通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Move call #{0} from {1} to:</source>
        <translation>将通话 #{0} 从 {1} 移至：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Call #{0} moved to {1}</source>
        <translation>通话 #{0} 已移至 {1}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Take call #{0} out of {1}&apos;s queue?</source>
        <translation>确定将通话 #{0} 移出 {1} 的队列吗？</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Call #{0} taken out of the queue</source>
        <translation>通话 #{0} 已移出队列</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <location filename="../../qa_desk/ui/review_page.py" line="+40"/>
        <source>My queue</source>
        <translation>我的队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sampling rules</source>
        <translation>抽样规则</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <location filename="../../qa_desk/ui/sign_in.py" line="-88"/>
        <source>QA reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Team lead</source>
        <translation>组长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trainer</source>
        <translation>培训师</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Manager</source>
        <translation>经理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
</context>
<context>
    <name>RowBarsChart</name>
    <message>
        <location filename="../../qa_desk/ui/team_view.py" line="-108"/>
        <source>Average score</source>
        <translation>平均得分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score %</source>
        <translation>得分 %</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No scores in this period.</source>
        <translation>本周期无得分。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>no evaluations</source>
        <translation>无评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0}: no evaluations in the period</source>
        <translation>{0}：本周期无评估</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{0}: {1} over {2} evaluations</source>
        <translation>{0}：{1}，共 {2} 份评估</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0} points against {1}</source>
        <translation>与 {1} 相比 {0} 分</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Double-click to open</source>
        <translation>双击打开</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Centre</source>
        <translation>全中心</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Good ≥ {0}</source>
        <translation>良好 ≥ {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Watch</source>
        <translation>关注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Poor &lt; {0}</source>
        <translation>较差 &lt; {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} average {1}</source>
        <translation>{0} 平均 {1}</translation>
    </message>
</context>
<context>
    <name>RulebookPage</name>
    <message>
        <location filename="../../qa_desk/ui/rulebook_page.py" line="+89"/>
        <source>Service-language rulebook</source>
        <translation>服务用语规则库</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use shipped default</source>
        <translation>使用内置默认</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check calls now</source>
        <translation>立即检查通话</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Check every transcribed call not yet checked with this rulebook; the status bar shows the progress and can cancel it</source>
        <translation>检查所有尚未用此规则库检查过的已转写通话；状态栏显示进度，并可取消</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version:</source>
        <translation>版本：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rules:</source>
        <translation>规则：</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Your name on flag decisions:</source>
        <translation>处理标记时的署名：</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Rule tester</source>
        <translation>规则测试</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Type what was said, e.g. 不知道，你自己再试试吧</source>
        <translation>输入说话内容，例如：不知道，你自己再试试吧</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>said by</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>at</source>
        <translation>时间点</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Matched</source>
        <translation>命中内容</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Which rules fire on a sentence, with the rulebook in use:</source>
        <translation>检测一句话会触发当前规则库中的哪些规则：</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>No rulebook ships for &apos;{0}&apos; calls: choose a rulebook file.</source>
        <translation>未内置适用于“{0}”通话的规则库，请选择规则库文件。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Choose a rulebook</source>
        <translation>选择规则库</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rulebooks (*.yaml *.yml);;All files (*)</source>
        <translation>规则库 (*.yaml *.yml);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Reading {0}…</source>
        <translation>正在读取 {0}…</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Now using {0}: {1} rules. Calls checked from now on use it.</source>
        <translation>已启用 {0}：共 {1} 条规则。此后检查的通话都将使用该规则库。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>This rulebook was not used: {0} problem(s) to correct first. The rulebook in use is unchanged.</source>
        <translation>未启用此规则库：需先修正 {0} 个问题。当前使用的规则库保持不变。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The rulebook in the settings cannot be used; calls are not checked until it is corrected or another is chosen.</source>
        <translation>设置中指定的规则库无法使用；在修正该规则库或另选规则库之前，通话将不会被检查。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Only a team lead or an admin changes the rulebook; the rule tester is for everyone</source>
        <translation>仅组长或管理员可更改规则库；规则测试所有人均可使用</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>In use: none</source>
        <translation>当前使用：无</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In use: your centre&apos;s own rulebook, {0}</source>
        <translation>当前使用：本中心自有规则库，{0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>In use: the shipped rulebook for &apos;{0}&apos; calls ({1})</source>
        <translation>当前使用：适用于“{0}”通话的内置规则库（{1}）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{0} in all: {1}</source>
        <translation>共 {0} 条：{1}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Could not save the settings: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Type a sentence to see which rules fire on it.</source>
        <translation>输入一句话，查看会触发哪些规则。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No rule fires on this text.</source>
        <translation>此文本未触发任何规则。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} rule(s) fire.</source>
        <translation>触发了 {0} 条规则。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Why: {0}</source>
        <translation>原因：{0}</translation>
    </message>
</context>
<context>
    <name>Sampling</name>
    <message>
        <location filename="../../qa_desk/scoring/sampling.py" line="+90"/>
        <source>sampling rule &apos;{name}&apos;</source>
        <translation>抽样规则“{name}”</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sampling rule</source>
        <translation>抽样规则</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{rule}: {problem}</source>
        <translation>{rule}：{problem}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>name must be non-empty text</source>
        <translation>名称必须是非空文本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>calls per agent must be a whole number of 1 or more, not {value!r}</source>
        <translation>每位坐席的通话数必须是大于等于 1 的整数，而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>selection &apos;{selection}&apos; is not one of {choices}</source>
        <translation>抽取方式“{selection}”不是 {choices} 之一</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{field} must be true or false, not {value!r}</source>
        <translation>{field} 必须是 true 或 false，而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the new-agent window must be a whole number of days, 1 or more, not {value!r}</source>
        <translation>新坐席期限必须是大于等于 1 的整数天数，而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{field} must be a list of names (empty: all), not {value!r}</source>
        <translation>{field} 必须是名称列表（留空表示全部），而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the minimum duration must be seconds, 0 or more, not {value!r}</source>
        <translation>最短时长必须是大于等于 0 的秒数，而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the run&apos;s cap must be a whole number of calls, 1 or more, or none, not {value!r}</source>
        <translation>本次抽样的上限必须是大于等于 1 的整数通话数或不设上限，而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>sampling rule: expected a mapping of fields, not {type}</source>
        <translation>抽样规则：应为字段映射，而不是 {type}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>sampling rule: unknown field &apos;{field}&apos; (fields: {fields})</source>
        <translation>抽样规则：未知字段“{field}”（可用字段：{fields}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sampling rule: {field} is missing</source>
        <translation>抽样规则：缺少 {field}</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>random sample (seed {seed}) of {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>从{agent}在 {period} 的 {eligible} 通符合条件的通话中随机抽样（种子 {seed}）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>never reviewed; random (seed {seed}) among {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>从未被质检；从{agent}在 {period} 的 {eligible} 通符合条件的通话中随机抽取（种子 {seed}）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{flags} critical flag: #{rank} most flagged of {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>{flags} 个致命项标记：在{agent}于 {period} 的 {eligible} 通符合条件的通话中标记数排第 {rank}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{flags} critical flags: #{rank} most flagged of {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>{flags} 个致命项标记：在{agent}于 {period} 的 {eligible} 通符合条件的通话中标记数排第 {rank}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{dead_air} dead air: #{rank} longest of {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>静默 {dead_air}：在{agent}于 {period} 的 {eligible} 通符合条件的通话中静默时长排第 {rank}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>handle time {handle}: #{rank} shortest of {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>通话时长 {handle}：在{agent}于 {period} 的 {eligible} 通符合条件的通话中第 {rank} 短</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>handle time {handle}: #{rank} longest of {agent}&apos;s {eligible} eligible calls in {period}</source>
        <translation>通话时长 {handle}：在{agent}于 {period} 的 {eligible} 通符合条件的通话中第 {rank} 长</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{why}; new agent (hired {hired})</source>
        <translation>{why}；新坐席（入职于 {hired}）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rule &apos;{rule}&apos;: {why}</source>
        <translation>规则“{rule}”：{why}</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>call {call} is among the candidates twice, with different details</source>
        <translation>通话 {call} 在候选通话中出现了两次，且详情不同</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>calls {calls} are picked more than once</source>
        <translation>通话 {calls} 被抽取了不止一次</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{n} call to review but no reviewers to assign it to</source>
        <translation>有 {n} 通通话待质检，但没有可以分配的质检员</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{n} calls to review but no reviewers to assign them to</source>
        <translation>有 {n} 通通话待质检，但没有可以分配的质检员</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>reviewer {name}: open reviews must be a whole number, 0 or more, not {value!r}</source>
        <translation>质检员 {name}：未完成的质检数必须是大于等于 0 的整数，而不是 {value!r}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>calls {calls}: the only reviewer is the agent on the call (add another reviewer)</source>
        <translation>通话 {calls}：唯一的质检员就是通话中的坐席（请再添加一位质检员）</translation>
    </message>
</context>
<context>
    <name>SamplingRuleDialog</name>
    <message>
        <location filename="../../qa_desk/ui/sampling_rule_dialog.py" line="+21"/>
        <source>Edit sampling rule</source>
        <translation>编辑抽样规则</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>New sampling rule</source>
        <translation>新建抽样规则</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>At random (the monitoring quota)</source>
        <translation>随机（质检配额）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Most critical flags</source>
        <translation>严重标记最多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Longest dead air</source>
        <translation>静默最长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shortest handle time</source>
        <translation>通话时长最短</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Longest handle time</source>
        <translation>通话时长最长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never reviewed, at random</source>
        <translation>从未质检的通话中随机</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> calls per agent</source>
        <translation> 通/坐席</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New agents first</source>
        <translation>新坐席优先</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> days since hiring</source>
        <translation> 天内入职</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>All teams (or names, separated by commas)</source>
        <translation>全部团队（或填写团队名称，以逗号分隔）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All queues (or names, separated by commas)</source>
        <translation>全部技能队列（或填写名称，以逗号分隔）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any length</source>
        <translation>不限时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Skip calls someone already reviewed</source>
        <translation>跳过已被他人质检的通话</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No cap</source>
        <translation>不限</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quota:</source>
        <translation>配额：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Pick:</source>
        <translation>抽取方式：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New agent:</source>
        <translation>新坐席：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Teams:</source>
        <translation>团队：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Queues:</source>
        <translation>技能队列：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Shortest call to judge:</source>
        <translation>可评估的最短通话：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Most calls per run:</source>
        <translation>每次最多抽取：</translation>
    </message>
</context>
<context>
    <name>SamplingRulesView</name>
    <message>
        <location filename="../../qa_desk/ui/sampling_rules_view.py" line="+49"/>
        <location line="+12"/>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <location line="-12"/>
        <source>Quota</source>
        <translation>质检配额</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pick</source>
        <translation>抽取方式</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Filters</source>
        <translation>筛选条件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation>已启用</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+34"/>
        <source>New rule…</source>
        <translation>新建规则…</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run…</source>
        <translation>执行…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run</source>
        <translation>执行编号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Period</source>
        <translation>周期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calls</source>
        <translation>通话数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reviewers</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>By</source>
        <translation>执行人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>When</source>
        <translation>执行时间</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sampling rules</source>
        <translation>抽样规则</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Recent runs</source>
        <translation>最近的运行</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No sampling rules yet</source>
        <translation>尚无抽样规则</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>At random</source>
        <translation>随机</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Most critical flags</source>
        <translation>严重标记最多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Longest dead air</source>
        <translation>静默最长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Shortest handle time</source>
        <translation>通话时长最短</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Longest handle time</source>
        <translation>通话时长最长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never reviewed</source>
        <translation>从未质检</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>teams: {0}</source>
        <translation>团队：{0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>queues: {0}</source>
        <translation>技能队列：{0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>at least {0} s</source>
        <translation>至少 {0} 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>new agents first</source>
        <translation>新坐席优先</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>at most {0} calls</source>
        <translation>最多 {0} 通</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>all calls</source>
        <translation>全部通话</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{0} per agent</source>
        <translation>每位坐席 {0} 通</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>A sampling rule picks the calls the reviewers score each period: how many per agent, which ones (at random, the most critical flags, the longest dead air…) and from which teams. Create one, then select it and choose Run… to queue its calls.</source>
        <translation>抽样规则决定质检员每个周期要评分的通话：每位坐席抽几通、抽哪些（随机、致命标记最多、静默最长…）以及从哪些团队抽取。请新建一条规则，然后选中它并点击“执行…”，把抽到的通话排入队列。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>A sampling rule picks the calls the reviewers score each period: how many per agent, which ones and from which teams. Team leads create and run them; the calls they queue appear in each reviewer&apos;s My queue.</source>
        <translation>抽样规则决定质检员每个周期要评分的通话：每位坐席抽几通、抽哪些以及从哪些团队抽取。规则由组长创建并执行；抽到的通话会出现在各质检员的“我的队列”中。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No runs yet: select a rule and choose Run… to queue its calls for a period.</source>
        <translation>尚未执行过：选中一条规则并点击“执行…”，即可为某个周期排入通话。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No runs yet: a team lead runs a rule to queue calls.</source>
        <translation>尚未执行过：由组长执行规则来排入通话。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Only a lead or an admin can change or run sampling rules.</source>
        <translation>仅组长或管理员可以修改或执行抽样规则。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Sampling rule “{0}” saved</source>
        <translation>抽样规则“{0}”已保存</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Deactivate rule</source>
        <translation>停用规则</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deactivate “{0}”? Its runs and the calls they queued stay.</source>
        <translation>停用“{0}”？其执行记录及已加入队列的通话将保留。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sampling rule “{0}” deactivated</source>
        <translation>抽样规则“{0}”已停用</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{0} calls queued for {1} (seed {2})</source>
        <translation>{1}：已将 {0} 个通话加入待质检队列（随机种子 {2}）</translation>
    </message>
</context>
<context>
    <name>SamplingRunDialog</name>
    <message>
        <location filename="../../qa_desk/ui/sampling_run_dialog.py" line="+41"/>
        <source>Run sampling rule “{0}”</source>
        <translation>运行抽样规则“{0}”</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>2026-11, 2026-Q4, 2026-W44 or 2026-11-01..2026-11-15</source>
        <translation>2026-11、2026-Q4、2026-W44 或 2026-11-01..2026-11-15</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Another reviewer&apos;s name</source>
        <translation>其他质检员的姓名</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New seed</source>
        <translation>新随机种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Preview the run to see which calls it picks and who gets them.</source>
        <translation>预览本次运行，查看将抽取哪些通话以及分配给谁。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Call</source>
        <translation>通话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why</source>
        <translation>抽取原因</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Run and queue the calls</source>
        <translation>运行并加入队列</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Period:</source>
        <translation>周期：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reviewers:</source>
        <translation>质检员：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Changed since the preview: preview again before running.</source>
        <translation>预览后有改动：请重新预览后再运行。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Not a period: {0}</source>
        <translation>不是有效的周期：{0}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Tick at least one reviewer.</source>
        <translation>请至少勾选一名质检员。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Working out the picks…</source>
        <translation>正在计算抽取结果…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{0} calls of {1} in {2} would be queued ({3}), due {4}; seed {5}.</source>
        <translation>将从 {2} 的 {1} 个通话中抽取 {0} 通加入队列（{3}），截止日期 {4}；随机种子 {5}。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No call of {0} fits this rule (or every agent&apos;s quota is already queued).</source>
        <translation>{0} 中没有符合此规则的通话（或所有坐席的配额均已加入队列）。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Cancelled; no call was queued.</source>
        <translation>已取消；没有通话被加入队列。</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Queuing the calls…</source>
        <translation>正在将通话加入队列…</translation>
    </message>
</context>
<context>
    <name>ScoreTrendChart</name>
    <message>
        <location filename="../../qa_desk/ui/trend_charts.py" line="-171"/>
        <source>Score over time</source>
        <translation>得分趋势</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score %</source>
        <translation>得分 %</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No submitted evaluations in these periods.</source>
        <translation>这些周期内没有已提交的评估。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{0} average, {1}: {2}</source>
        <translation>{0} 平均，{1}：{2}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Failed on a critical item</source>
        <translation>致命项不合格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moving average: {0}</source>
        <translation>移动平均：{0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Evaluation (✕: failed on a critical item)</source>
        <translation>评估（✕：致命项不合格）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Moving average of {0}</source>
        <translation>{0} 点移动平均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} average</source>
        <translation>{0} 平均</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Good ≥ {0} · poor &lt; {1}</source>
        <translation>良好 ≥ {0} · 较差 &lt; {1}</translation>
    </message>
</context>
<context>
    <name>ScorecardFilterBar</name>
    <message>
        <location filename="../../qa_desk/ui/scorecard_filters.py" line="+61"/>
        <source>Week</source>
        <translation>周</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Quarter</source>
        <translation>季度</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Custom range</source>
        <translation>自定义范围</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Previous period</source>
        <translation>上一周期</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Next period</source>
        <translation>下一周期</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Pick a day: the period holding it is shown</source>
        <translation>选择某一天：将显示包含该天的周期</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>All teams</source>
        <translation>所有团队</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>All forms</source>
        <translation>所有质检表</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Agents</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Teams</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+162"/>
        <source>MMMM yyyy</source>
        <comment>date format of a month</comment>
        <translation>yyyy年M月</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Q{quarter} {year}</source>
        <translation>{year}年第{quarter}季度</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Week {week}, {year} ({start} – {end})</source>
        <translation>{year}年第{week}周（{start} – {end}）</translation>
    </message>
</context>
<context>
    <name>ScorecardModel</name>
    <message>
        <location filename="../../qa_desk/ui/scorecards_model.py" line="+119"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+2"/>
        <source>Team</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agents</source>
        <translation>坐席数</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agents counted in the team</source>
        <translation>团队中计入的坐席人数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluations</source>
        <translation>评估数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Submitted evaluations of the period&apos;s calls, against the monitoring quota</source>
        <translation>本周期通话中已提交的评估数，对照质检配额</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Average evaluation score</source>
        <translation>平均评估得分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Score change against the previous period, in points</source>
        <translation>与上一周期相比的得分变化（分）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Behind</source>
        <translation>尚缺</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluations still missing against the monitoring quota</source>
        <translation>距质检配额尚缺的评估数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Average score of the section “{0}”</source>
        <translation>板块“{0}”的平均得分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Critical fails</source>
        <translation>致命错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluations with at least one failed critical item</source>
        <translation>至少有一个致命项未通过的评估数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Flags/call</source>
        <translation>标记/通</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirmed flags per call checked against the rulebook</source>
        <translation>按规则库检查过的通话中，平均每通已确认的标记数</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Confirmed “{0}” flags per checked call</source>
        <translation>每通已检查通话中已确认的“{0}”标记数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Talk ratio</source>
        <translation>说话占比</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Agent talk time / customer talk time</source>
        <translation>坐席说话时长 / 客户说话时长</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Dead air</source>
        <translation>静默</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Silence of 3 s or more, seconds per call</source>
        <translation>3 秒及以上的静默，每通秒数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Overtalk</source>
        <translation>抢话</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Both speaking at once, seconds per call</source>
        <translation>双方同时说话，每通秒数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Handle time</source>
        <translation>通话时长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Average call length</source>
        <translation>平均通话时长</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>No team</source>
        <translation>无团队</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location line="+28"/>
        <location line="+1"/>
        <source>{0}: {1} evaluations</source>
        <translation>{0}：{1} 份评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quota: {0} for the period</source>
        <translation>配额：本周期 {0} 份</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} behind</source>
        <translation>尚缺 {0} 份</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No score to compare in {0} or {1}</source>
        <translation>{0} 和 {1} 均无可比较的得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} → {1}: {2} → {3}</source>
        <translation>{0} → {1}：{2} → {3}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{0} evaluations scored the section</source>
        <translation>{0} 份评估对该板块评分</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} zeroed by a critical item</source>
        <translation>{0} 份因致命项计 0 分</translation>
    </message>
</context>
<context>
    <name>ScorecardsPage</name>
    <message>
        <location filename="../../qa_desk/ui/scorecards_page.py" line="+88"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Table</source>
        <translation>表格</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+232"/>
        <source>Team view</source>
        <translation>团队视图</translation>
    </message>
    <message>
        <location line="-228"/>
        <source>Show the previous period</source>
        <translation>查看上一周期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Go to Calls</source>
        <translation>前往“通话”</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Scorecards</source>
        <translation>评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loading the scorecard…</source>
        <translation>正在加载评分卡…</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Loading the scorecard of {0}…</source>
        <translation>正在加载 {0} 的评分卡…</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>1 evaluation</source>
        <translation>1 份评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} evaluations</source>
        <translation>{0} 份评估</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>average {0}</source>
        <translation>平均得分 {0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>({0} against {1})</source>
        <translation>（较{1} {0}）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{0} of {1} agents behind the quota of {2}</source>
        <translation>{0}/{1} 名坐席未达到 {2} 份的质检配额</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>every agent met the quota</source>
        <translation>所有坐席均已完成质检配额</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} failed on a critical item</source>
        <translation>{0} 份致命项不合格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Centre</source>
        <translation>全中心</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} · {1}: {2}</source>
        <translation>{0} · {1}：{2}</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Could not load the scorecard: {0}</source>
        <translation>无法加载评分卡：{0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Evaluations on {0} form versions ({1}) are combined by percentage; section figures combine only sections with the same key.</source>
        <translation>评估涉及 {0} 个质检表版本（{1}），已按百分比合并；板块数据仅合并标识相同的板块。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>No evaluations in {0}</source>
        <translation>{0} 没有评估</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No submitted evaluation matches this team and form in the period. Drafts count once they are submitted.</source>
        <translation>本周期内没有与该团队和质检表匹配的已提交评估。草稿提交后才会计入。</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+4"/>
        <source>No evaluations yet</source>
        <translation>尚无评估</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Scorecards count submitted evaluations, and there are no calls to evaluate yet: import recordings (or load the sample calls) in the Calls area first.</source>
        <translation>评分卡统计已提交的评估，而目前还没有可评估的通话：请先在“通话”区导入录音（或加载示例通话）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Scorecards count submitted evaluations. Score a call to start them: open it in Calls, choose a form on its Evaluation tab, answer every item and submit.</source>
        <translation>评分卡统计已提交的评估。为一通通话评分即可开始：在“通话”中打开它，在“评估”页签选择质检表，回答所有评分项后提交。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scorecards count the evaluations reviewers and team leads submit; none has been submitted yet. They appear here as soon as one is.</source>
        <translation>评分卡统计质检员和组长提交的评估；目前还没有提交任何评估。一旦有评估提交，即会显示在这里。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Scorecards appear once the period&apos;s calls have been evaluated: they count submitted evaluations (drafts count once submitted). Pick another period, or score calls from the Calls area.</source>
        <translation>本周期的通话完成评估后即显示评分卡：仅统计已提交的评估（草稿提交后计入）。请选择其他周期，或在“通话”区为通话评分。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Scorecards appear once the period&apos;s calls have been evaluated: they count submitted evaluations (drafts count once submitted). Pick another period.</source>
        <translation>本周期的通话完成评估后即显示评分卡：仅统计已提交的评估（草稿提交后计入）。请选择其他周期。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Agents without a team cannot be listed on their own yet.</source>
        <translation>暂时无法单独列出未分配团队的坐席。</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Only a manager, a team lead or an admin exports scorecards</source>
        <translation>仅经理、组长或管理员可导出评分卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the scorecard of this period, with its evaluations, answers and flags, as an Excel workbook or CSV</source>
        <translation>将本周期的评分卡连同其评估、作答和标记保存为 Excel 工作簿或 CSV 文件</translation>
    </message>
</context>
<context>
    <name>Scoring</name>
    <message>
        <location filename="../../qa_desk/scoring/score.py" line="+83"/>
        <source>item {item}: &apos;{value}&apos; is not an answer to it (answers: {allowed})</source>
        <translation>评分项 {item}：“{value}”不是它的有效答案（可选答案：{allowed}）</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>item {item}: N/A is not allowed on this item</source>
        <translation>评分项 {item}：此评分项不允许选择“不适用”</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>no item {items} on the form {form}</source>
        <translation>质检表 {form} 中没有评分项 {items}</translation>
    </message>
</context>
<context>
    <name>SearchResultsModel</name>
    <message>
        <location filename="../../qa_desk/ui/transcript_search.py" line="+75"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+2"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What was said</source>
        <translation>说话内容</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Either</source>
        <translation>混合</translation>
    </message>
</context>
<context>
    <name>SectionBox</name>
    <message>
        <location filename="../../qa_desk/ui/evaluation_items.py" line="+60"/>
        <source>{0} / {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>weight {0} %</source>
        <translation>权重 {0} %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Zeroed by a critical item</source>
        <translation>因致命项清零</translation>
    </message>
</context>
<context>
    <name>SectionEditor</name>
    <message>
        <location filename="../../qa_desk/ui/form_editors.py" line="-112"/>
        <source>e.g. opening</source>
        <translation>例如 opening</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow the items</source>
        <translation>按评分项计算</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The section&apos;s points are the sum of its items&apos; points (bonus items aside).</source>
        <translation>板块分值为其各评分项分值之和（加分项除外）。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>How far bonus items may lift the section above its maximum (0: they only make up for lost points).</source>
        <translation>加分项最多可使板块得分超出满分多少（0：加分项只能弥补失分）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Key:</source>
        <translation>标识：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Points:</source>
        <translation>分值：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bonus cap:</source>
        <translation>加分上限：</translation>
    </message>
</context>
<context>
    <name>SectionTrendChart</name>
    <message>
        <location filename="../../qa_desk/ui/trend_charts.py" line="+50"/>
        <source>Section scores by period</source>
        <translation>各周期板块得分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score %</source>
        <translation>得分 %</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No section scores in these periods.</source>
        <translation>这些周期内没有板块得分。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{0} · {1}: {2} ({3} evaluations)</source>
        <translation>{0} · {1}：{2}（{3} 份评估）</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../qa_desk/ui/settings_page.py" line="+68"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Leave empty to keep the calls in a local database on this computer. A team sharing one database enters its address, e.g. postgresql+psycopg://user:password@server/qa_desk</source>
        <translation>留空则将通话保存在本机的本地数据库中。团队共用一个数据库时，请填写其地址，例如 postgresql+psycopg://user:password@server/qa_desk</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Database URL:</source>
        <translation>数据库 URL：</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Left</source>
        <translation>左声道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Right</source>
        <translation>右声道</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Mono (mixed)</source>
        <translation>单声道（混合）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Valid pattern. The import dialog previews it on your recordings.</source>
        <translation>模式有效。可在导入对话框中用您的录音预览解析结果。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import defaults</source>
        <translation>导入默认设置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Agent&apos;s channel:</source>
        <translation>坐席声道：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In stereo recordings, the channel that carries the agent&apos;s voice.</source>
        <translation>立体声录音中承载坐席语音的声道。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File-name pattern:</source>
        <translation>文件名模式：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> a month</source>
        <translation> 次/月</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Scorecards</source>
        <translation>评分卡</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Evaluations per agent:</source>
        <translation>每位坐席评估数：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The monitoring quota. Scorecards show who is behind it; a week or a quarter asks for its share. 0 turns it off.</source>
        <translation>质检配额。评分卡会显示哪些坐席未达到配额；按周或按季度查看时按相应比例折算。设为 0 则关闭。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Good from:</source>
        <translation>良好分数线：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Poor below:</source>
        <translation>较差分数线：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scores between the two are shown as “watch”.</source>
        <translation>介于两者之间的得分显示为“待关注”。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>As the system ({0})</source>
        <translation>跟随系统（{0}）</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+5"/>
        <source>As the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A new language shows from the next start of QA Desk.</source>
        <translation>更换的语言将在下次启动 QA Desk 时生效。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Colours:</source>
        <translation>配色：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>In use now: {0}</source>
        <translation>当前使用：{0}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Connecting to {0}…</source>
        <translation>正在连接 {0}…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Connection works ({0}).</source>
        <translation>连接成功（{0}）。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Correct the file-name pattern before saving.</source>
        <translation>请先修正文件名模式再保存。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>“Poor below” cannot be above “Good from”.</source>
        <translation>“较差分数线”不能高于“良好分数线”。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Could not save the settings: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Saved. QA Desk reconnects to the new database…</source>
        <translation>已保存。QA Desk 正在重新连接到新数据库…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Settings saved. Start QA Desk again to see it in {0}.</source>
        <translation>设置已保存。请重新启动 QA Desk 以使用{0}界面。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../qa_desk/ui/shortcuts_help.py" line="+78"/>
        <source>Play or pause</source>
        <translation>播放或暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back 5 seconds</source>
        <translation>后退 5 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forward 5 seconds</source>
        <translation>前进 5 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back 1 second</source>
        <translation>后退 1 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forward 1 second</source>
        <translation>前进 1 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back 10 seconds</source>
        <translation>后退 10 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Forward 10 seconds</source>
        <translation>前进 10 秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slower (0.25× steps, down to 0.5×)</source>
        <translation>减速（每次 0.25×，最低 0.5×）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Faster (0.25× steps, up to 2×)</source>
        <translation>加速（每次 0.25×，最高 2×）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Go to the start of the call</source>
        <translation>跳到通话开头</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Go to the end of the call</source>
        <translation>跳到通话结尾</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom in around the playhead</source>
        <translation>以播放位置为中心放大</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show the whole call</source>
        <translation>显示整个通话</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the transcript search, or else the selection</source>
        <translation>清除转写搜索，否则清除选区</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search the transcript</source>
        <translation>搜索转写文本</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to the call library</source>
        <translation>返回通话库</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show these shortcuts</source>
        <translation>显示这些快捷键</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Play the selected flag from a second before</source>
        <translation>从所选标记前一秒开始播放</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm the selected flag</source>
        <translation>确认所选标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dismiss the selected flag (asks for the reason)</source>
        <translation>驳回所选标记（需填写原因）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add a note to the selected flag</source>
        <translation>为所选标记添加备注</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reopen a decided flag</source>
        <translation>重新打开已处理的标记</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The previous or next item</source>
        <translation>上一个或下一个评分项</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer the item: Yes, Partial, No or N/A (a digit on a 0..N scale)</source>
        <translation>回答评分项：“是”“部分”“否”或“不适用”（0..N 分制时按数字键）</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>{0} › {1}</source>
        <translation>{0} › {1}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call view</source>
        <translation>通话视图</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags list (a flag selected)</source>
        <translation>标记列表（选中一个标记时）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluation (the item with the focus)</source>
        <translation>评估（焦点所在的评分项）</translation>
    </message>
</context>
<context>
    <name>ShortcutsHelp</name>
    <message>
        <location line="+11"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What it does</source>
        <translation>功能</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>J, K and L work as in most video players: back 10 s, play/pause, forward 10 s. On the waveform: click to jump there, drag to select a span, use the mouse wheel to zoom and Shift+wheel (or the scrollbar) to scroll. Click a word in the transcript to hear it.</source>
        <translation>J、K、L 的用法与大多数视频播放器相同：后退 10 秒、播放/暂停、前进 10 秒。在波形上：单击跳转到该位置，拖动选择一段区间，用鼠标滚轮缩放，用 Shift+滚轮（或滚动条）滚动。单击转写文本中的词语即可收听。</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../qa_desk/ui/sign_in.py" line="+118"/>
        <source>Create the first admin</source>
        <translation>创建首个管理员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign in to QA Desk</source>
        <translation>登录 QA Desk</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Database: {0}</source>
        <translation>数据库：{0}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Nobody can sign in to this database yet. Choose the name and password of its first admin; the admin then adds the other users.</source>
        <translation>目前还没有人能登录此数据库。请设置首个管理员的用户名和密码；之后由该管理员添加其他用户。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Create and sign in</source>
        <translation>创建并登录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Password again</source>
        <translation>确认密码</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Give your name and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Could not sign in: {0}</source>
        <translation>无法登录：{0}</translation>
    </message>
</context>
<context>
    <name>SpanEditor</name>
    <message>
        <location filename="../../qa_desk/ui/clip_span.py" line="+61"/>
        <source>Snap to words</source>
        <translation>对齐到词</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Move the edges to the nearest whole words of the transcript</source>
        <translation>将边界移到转写文本中最近的完整词语</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+49"/>
        <source>Apply new span</source>
        <translation>应用新区间</translation>
    </message>
    <message>
        <location line="-47"/>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Drag the edges of the span on the waveform, or type a start and an end</source>
        <translation>在波形上拖动区间边界，或输入开始和结束时间</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Cutting…</source>
        <translation>正在剪切…</translation>
    </message>
</context>
<context>
    <name>SpeechModelsPage</name>
    <message>
        <location filename="../../qa_desk/ui/speech_models_page.py" line="+50"/>
        <source>Speech models</source>
        <translation>语音模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>English</source>
        <translation>英语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Korean</source>
        <translation>韩语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Japanese</source>
        <translation>日语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Russian</source>
        <translation>俄语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>French</source>
        <translation>法语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>German</source>
        <translation>德语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Spanish</source>
        <translation>西班牙语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Portuguese</source>
        <translation>葡萄牙语</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Italian</source>
        <translation>意大利语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Vietnamese</source>
        <translation>越南语</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No speech model is installed on this computer, so calls cannot be transcribed here yet. Download one with Download… (the small Chinese model is 42 MB), or install one you have as a folder or a zip.</source>
        <translation>这台电脑尚未安装语音模型，因此还无法在此转写通话。请点击“下载…”下载一个（小型中文模型为 42 MB），或安装您已有的模型文件夹或 zip 压缩包。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Install from folder…</source>
        <translation>从文件夹安装…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Install from zip…</source>
        <translation>从 zip 安装…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Download…</source>
        <translation>下载…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set as default</source>
        <translation>设为默认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh catalogue from file…</source>
        <translation>从文件更新模型目录…</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Automatic ({0} cores)</source>
        <translation>自动（{0} 核）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Language of calls:</source>
        <translation>通话语言：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Calls are transcribed with this language&apos;s default model unless a model is chosen.</source>
        <translation>未选择模型时，通话将使用该语言的默认模型进行转写。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Parallel workers:</source>
        <translation>并行进程数：</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Added folder</source>
        <translation>添加的文件夹</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Models are installed in {0}</source>
        <translation>模型安装在 {0}</translation>
    </message>
    <message>
        <location line="+59"/>
        <source>Settings not saved</source>
        <translation>设置未保存</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Could not save the settings: {0}</source>
        <translation>无法保存设置：{0}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Install a speech model from a folder</source>
        <translation>从文件夹安装语音模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Install a speech model from a zip</source>
        <translation>从 zip 压缩包安装语音模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Vosk model (*.zip)</source>
        <translation>Vosk 模型 (*.zip)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot install</source>
        <translation>无法安装</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Installing {0}…</source>
        <translation>正在安装 {0}…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Replace model?</source>
        <translation>替换模型？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A model named {0} is already installed. Replace it?</source>
        <translation>已安装名为 {0} 的模型。是否替换？</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Installed {0} ({1}).</source>
        <translation>已安装 {0}（{1}）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Install failed</source>
        <translation>安装失败</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Install cancelled; nothing was installed.</source>
        <translation>已取消安装，未安装任何内容。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>found through VOSK_MODEL_PATH ({0})</source>
        <translation>通过 VOSK_MODEL_PATH（{0}）找到</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>in the folder {0} added here</source>
        <translation>属于在此添加的文件夹 {0}</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot remove</source>
        <translation>无法移除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} is not in QA Desk&apos;s models folder, so QA Desk does not remove it. It is at {1}, {2}. Delete it there if it is no longer needed.</source>
        <translation>{0} 不在 QA Desk 的模型文件夹中，因此 QA Desk 不会移除它。它位于 {1}，{2}。如不再需要，请到该位置删除。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Remove model?</source>
        <translation>移除模型？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove {0} ({1})? Its files are deleted from {2}.</source>
        <translation>要移除 {0}（{1}）吗？其文件将从 {2} 中删除。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Remove failed</source>
        <translation>移除失败</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Removed {0}.</source>
        <translation>已移除 {0}。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Cannot set the default</source>
        <translation>无法设为默认</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{0} is now the default model for {1}.</source>
        <translation>{0} 现已设为 {1} 的默认模型。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Add a folder with speech models</source>
        <translation>添加包含语音模型的文件夹</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Added {0}: {1} model(s) found.</source>
        <translation>已添加 {0}：找到 {1} 个模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Added {0}, but no Vosk model was found in it.</source>
        <translation>已添加 {0}，但其中未找到 Vosk 模型。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Vosk model list</source>
        <translation>Vosk 模型列表</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model list (*.json)</source>
        <translation>模型列表 (*.json)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Model list not updated</source>
        <translation>模型列表未更新</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Model list updated: {0} published models.</source>
        <translation>模型列表已更新：共 {0} 个已发布的模型。</translation>
    </message>
</context>
<context>
    <name>Suggestions</name>
    <message>
        <location filename="../../qa_desk/scoring/suggestions.py" line="+54"/>
        <source>{rule}: “{said}”</source>
        <translation>{rule}：“{said}”</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no flag of its rules in this call</source>
        <translation>本通话中无相关规则的标记</translation>
    </message>
</context>
<context>
    <name>TeamView</name>
    <message>
        <location filename="../../qa_desk/ui/team_view.py" line="+81"/>
        <source>Agents</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Teams</source>
        <translation>团队</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0}: average score, {1}</source>
        <translation>{0}：平均得分，{1}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Distribution of scores, {0}</source>
        <translation>得分分布，{0}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>No team</source>
        <translation>无团队</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Could not load the distribution: {0}</source>
        <translation>无法加载得分分布：{0}</translation>
    </message>
</context>
<context>
    <name>TranscriptPane</name>
    <message>
        <location filename="../../qa_desk/ui/transcript_pane.py" line="+144"/>
        <source>Transcript</source>
        <translation>转写文本</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Search this call</source>
        <translation>在此通话中搜索</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Previous match (Shift+Enter)</source>
        <translation>上一个匹配（Shift+Enter）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Next match (Enter)</source>
        <translation>下一个匹配（Enter）</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+1"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>imported</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Vosk result JSON</source>
        <translation>Vosk 识别结果 JSON</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>SRT file</source>
        <translation>SRT 文件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>WebVTT file</source>
        <translation>WebVTT 文件</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Transcribing again… {0}%</source>
        <translation>正在重新转写… {0}%</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting to be transcribed again</source>
        <translation>等待重新转写</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Transcribing… {0}%</source>
        <translation>正在转写… {0}%</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting to be transcribed…</source>
        <translation>等待转写…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The transcription failed.</source>
        <translation>转写失败。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No speech was recognised in this call.</source>
        <translation>此通话中未识别到语音。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The transcription was cancelled.</source>
        <translation>转写已取消。</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+2"/>
        <source>Transcribe</source>
        <translation>转写</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Not transcribed yet</source>
        <translation>尚未转写</translation>
    </message>
    <message>
        <location line="+198"/>
        <source>No match</source>
        <translation>无匹配</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} of {1}</source>
        <translation>{0}/{1}</translation>
    </message>
</context>
<context>
    <name>TranscriptSearchDialog</name>
    <message>
        <location filename="../../qa_desk/ui/transcript_search.py" line="+90"/>
        <location line="+147"/>
        <source>Search what was said</source>
        <translation>搜索通话内容</translation>
    </message>
    <message>
        <location line="-137"/>
        <source>Words said in the calls, e.g. 投诉 or refund</source>
        <translation>通话中说过的词语，例如 投诉 或 refund</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Said by anyone</source>
        <translation>任何人说的</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Said by the agent</source>
        <translation>坐席说的</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Said by the customer</source>
        <translation>客户说的</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Any time</source>
        <translation>不限时间</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Custom…</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Show more</source>
        <translation>显示更多</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Double-click a result to open the call at that moment.</source>
        <translation>双击结果即可打开通话并定位到该时刻。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Search every call</source>
        <translation>搜索全部通话</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>No transcripts to search yet</source>
        <translation>尚无可搜索的转写文本</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This searches what was said in transcribed calls, and no call has been transcribed yet. Transcribe calls first: select them in Calls and choose Transcribe (a speech model for their language must be installed: Settings → Speech models).</source>
        <translation>这里搜索的是已转写通话中说过的内容，而目前还没有任何通话被转写。请先转写通话：在“通话”中选中通话并选择“转写”（需要安装对应语言的语音模型：设置 → 语音模型）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Type words said in the calls, e.g. 投诉 or refund: every utterance that says them is listed, newest call first. Pick who said them and when to narrow the search.</source>
        <translation>输入通话中说过的词语，例如“投诉”或 refund：所有提到它们的语句都会列出，最新的通话在前。可选择说话人和时间来缩小搜索范围。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nobody said “{0}”</source>
        <translation>没有人说过“{0}”</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No utterance of the transcribed calls says it, with the speaker and period chosen. Try fewer or other words, or search every call. Calls not transcribed yet are not searched.</source>
        <translation>在所选说话人和时间范围内，已转写的通话中没有语句提到它。请减少或更换词语，或搜索全部通话。尚未转写的通话不在搜索范围内。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No utterance of the transcribed calls says it. Try fewer or other words; calls not transcribed yet are not searched.</source>
        <translation>已转写的通话中没有语句提到它。请减少或更换词语；尚未转写的通话不在搜索范围内。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Type the words to look for.</source>
        <translation>请输入要搜索的词语。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Nobody said “{0}” in these calls.</source>
        <translation>这些通话中没有人说过“{0}”。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>1 utterance says it.</source>
        <translation>有 1 句话提到。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} utterances say it.</source>
        <translation>有 {0} 句话提到。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Showing the newest {0}.</source>
        <translation>显示最新的 {0} 句。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>The search failed: {0}</source>
        <translation>搜索失败：{0}</translation>
    </message>
</context>
<context>
    <name>TranscriptionControl</name>
    <message>
        <location filename="../../qa_desk/ui/transcription_control.py" line="+140"/>
        <source>Transcription is not available in this window.</source>
        <translation>此窗口中无法使用转写功能。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>QA Desk</source>
        <translation>QA Desk</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Calls cannot be transcribed on this computer yet.</source>
        <translation>此计算机目前还无法转写通话。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0}

Install a speech model for the language of your calls in Settings, under Speech models.</source>
        <translation>{0}

请在“设置”的“语音模型”中，安装与您的通话语言相应的语音模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open Settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <location line="+101"/>
        <source>Nothing to cancel.</source>
        <translation>没有可取消的任务。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 transcription cancelled.</source>
        <translation>已取消 1 个转写。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} transcriptions cancelled.</source>
        <translation>已取消 {0} 个转写。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Nothing to retry.</source>
        <translation>没有可重试的任务。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 call queued again.</source>
        <translation>1 个通话已重新排队。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} calls queued again.</source>
        <translation>{0} 个通话已重新排队。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{0} finished jobs cleared from the list.</source>
        <translation>已从列表中清除 {0} 个已完成的任务。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The transcription queue could not be changed: {0}</source>
        <translation>无法更改转写队列：{0}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No calls are waiting to be transcribed.</source>
        <translation>没有等待转写的通话。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>No calls selected.</source>
        <translation>未选择通话。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No calls queued</source>
        <translation>没有通话加入队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>1 call queued</source>
        <translation>1 个通话已加入队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} calls queued</source>
        <translation>{0} 个通话已加入队列</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{0} already transcribed</source>
        <translation>{0} 个已转写</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} already queued</source>
        <translation>{0} 个已在队列中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{0} no longer in the library</source>
        <translation>{0} 个已不在通话库中</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <location filename="../../qa_desk/ui/users_page.py" line="+46"/>
        <source>Set password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password again</source>
        <translation>确认密码</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Give the user&apos;s name.</source>
        <translation>请输入用户姓名。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A password needs at least {0} characters.</source>
        <translation>密码至少需要 {0} 个字符。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location line="+18"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Signs in</source>
        <translation>登录方式</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Active</source>
        <translation>已启用</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Last sign-in</source>
        <translation>上次登录</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Add user…</source>
        <translation>添加用户…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Change role</source>
        <translation>更改角色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set password…</source>
        <translation>设置密码…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>local user</source>
        <translation>本机用户</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Only one user so far. On a shared database each person signs in with their own name and password: add them with Add user…, each with the role for their work (reviewer, team lead, trainer, manager, administrator).</source>
        <translation>目前只有一位用户。在共享数据库中，每个人都用自己的用户名和密码登录：请点击“添加用户…”逐一添加，并为每人设置与其工作相符的角色（质检员、组长、培训师、经理、管理员）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Only one user so far. An administrator adds the people who sign in to this database and sets their roles.</source>
        <translation>目前只有一位用户。登录此数据库的人员由管理员添加并设置角色。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Only an admin manages users.</source>
        <translation>仅管理员可管理用户。</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>WaveformView</name>
    <message>
        <location filename="../../qa_desk/ui/waveform.py" line="+171"/>
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Both (mono)</source>
        <translation>双方（单声道）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Channel {0}</source>
        <translation>声道 {0}</translation>
    </message>
    <message>
        <location line="+57"/>
        <source>Marks</source>
        <translation>标注</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="+204"/>
        <source>Could not read the recording: {0}</source>
        <translation>无法读取录音：{0}</translation>
    </message>
</context>
<context>
    <name>_TextDialog</name>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="-62"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
</TS>
