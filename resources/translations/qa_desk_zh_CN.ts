<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AgentDetail</name>
    <message>
        <location filename="../../qa_desk/ui/agent_detail.py" line="+99"/>
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
        <location line="+31"/>
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
        <location line="+19"/>
        <source>Sections</source>
        <translation>板块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Centre</source>
        <translation>全中心</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Evaluations in {0} (counted in the scorecard)</source>
        <translation>{0} 的评估（已计入评分卡）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+20"/>
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
        <location line="+18"/>
        <source>That evaluation is from an earlier period: double-click the point to open its call.</source>
        <translation>该评估属于更早的周期：双击该点即可打开对应通话。</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../qa_desk/ui/audit_page.py" line="+49"/>
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
        <location line="+50"/>
        <source>Only a team lead, a manager or an admin reads the audit log.</source>
        <translation>仅组长、经理或管理员可以查看审计日志。</translation>
    </message>
    <message numerus="yes">
        <location line="+24"/>
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
        <location line="+6"/>
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
    <name>CalibrationPage</name>
    <message>
        <location filename="../../qa_desk/ui/calibration_page.py" line="+68"/>
        <source>Calibration</source>
        <translation>校准</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>New session…</source>
        <translation>新建校准会…</translation>
    </message>
    <message>
        <location line="+3"/>
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
        <location line="+69"/>
        <source>Sign in to see calibration sessions.</source>
        <translation>请登录以查看校准会。</translation>
    </message>
    <message>
        <location line="+15"/>
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
        <location line="+6"/>
        <source>No calibration sessions yet.</source>
        <translation>尚无校准会。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start one with “New session…”.</source>
        <translation>可点击“新建校准会…”发起。</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Export calibration report</source>
        <translation>导出校准报告</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>CalibrationResults</name>
    <message>
        <location filename="../../qa_desk/ui/calibration_results.py" line="+66"/>
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
        <location line="+90"/>
        <source>Save as clip…</source>
        <translation>保存为片段…</translation>
    </message>
    <message>
        <location line="-88"/>
        <source>Keep the selected span as a training clip</source>
        <translation>将选中的时间范围保存为培训片段</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+1"/>
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
        <location filename="../../qa_desk/ui/call_filter_bar.py" line="+73"/>
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
        <location filename="../../qa_desk/ui/call_header.py" line="+62"/>
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
        <location line="+28"/>
        <source>Unknown agent</source>
        <translation>未知坐席</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+64"/>
        <source>{0} ({1})</source>
        <translation>{0}（{1}）</translation>
    </message>
    <message>
        <location line="-60"/>
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
        <location line="+8"/>
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
        <location filename="../../qa_desk/ui/call_view.py" line="+86"/>
        <location line="+332"/>
        <source>← Back to calls</source>
        <translation>← 返回通话库</translation>
    </message>
    <message>
        <location line="-330"/>
        <location line="+331"/>
        <source>Back to the call library (Alt+Left)</source>
        <translation>返回通话库（Alt+Left）</translation>
    </message>
    <message>
        <location line="-314"/>
        <location line="+440"/>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <location line="-439"/>
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
        <location line="+132"/>
        <source>Opening call…</source>
        <translation>正在打开通话…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Drawing waveform…</source>
        <translation>正在绘制波形…</translation>
    </message>
    <message>
        <location line="+24"/>
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
        <location line="+59"/>
        <source>Could not read the new transcript: {0}</source>
        <translation>无法读取新的转写文本：{0}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The call could not be opened</source>
        <translation>无法打开该通话</translation>
    </message>
    <message>
        <location line="+9"/>
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
        <location line="+123"/>
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
        <location filename="../../qa_desk/ui/calls_model.py" line="+75"/>
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
        <location filename="../../qa_desk/ui/trend_charts.py" line="+104"/>
        <source>Export PNG…</source>
        <translation>导出 PNG…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save this chart as a PNG image</source>
        <translation>将此图表保存为 PNG 图片</translation>
    </message>
    <message>
        <location line="+115"/>
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
        <location filename="../../qa_desk/ui/clip_player.py" line="+78"/>
        <source>What is said</source>
        <translation>说话内容</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+208"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location line="-202"/>
        <source>Next clip</source>
        <translation>下一个片段</translation>
    </message>
    <message>
        <location line="+36"/>
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
    <name>ClipsModel</name>
    <message>
        <location filename="../../qa_desk/ui/clips_page.py" line="+41"/>
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
        <location line="+108"/>
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
        <location line="+112"/>
        <source>{0} of {1} clips</source>
        <translation>{0} / {1} 个片段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} clips</source>
        <translation>{0} 个片段</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No clip matches these filters.&lt;br&gt;&lt;br&gt;&lt;a href=&quot;clear&quot;&gt;Show every clip&lt;/a&gt;</source>
        <translation>没有符合筛选条件的片段。&lt;br&gt;&lt;br&gt;&lt;a href=&quot;clear&quot;&gt;显示全部片段&lt;/a&gt;</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No clips yet.

Open a call, drag across its waveform (or pick a flag, or select transcript lines) and choose “Save as clip…”: good examples and moments to improve, kept for training.</source>
        <translation>还没有片段。

打开一个通话，在其波形上拖选（或选择一个标记，或选中几行转写文本），然后选择“保存为片段…”：优秀示例和有待改进的片段都可以保存下来用于培训。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Clips: {0}</source>
        <translation>片段：{0}</translation>
    </message>
    <message>
        <location line="+29"/>
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
        <location filename="../../qa_desk/ui/column_mapping.py" line="+74"/>
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
    <name>DismissDialog</name>
    <message>
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="+318"/>
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
        <location filename="../../qa_desk/ui/team_view.py" line="+124"/>
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
        <source>{0}: {1} evaluations ({2} %)</source>
        <translation>{0}：{1} 份评估（{2} %）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{0} evaluations</source>
        <translation>{0} 份评估</translation>
    </message>
</context>
<context>
    <name>EvaluationPanel</name>
    <message>
        <location filename="../../qa_desk/ui/evaluation_panel.py" line="+87"/>
        <source>Start evaluation</source>
        <translation>开始评估</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Score this call on an evaluation form. Answers the call&apos;s flags suggest are filled in for you to check.</source>
        <translation>使用质检表为本通话评分。系统已根据本通话的标记预填建议答案，请您核对。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Form:</source>
        <translation>质检表：</translation>
    </message>
    <message>
        <location line="+31"/>
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
        <location line="+6"/>
        <source>There is no evaluation form yet: add one in Forms.</source>
        <translation>尚无质检表：请在“质检表”中添加。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location line="+61"/>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>submitted</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>disputed</source>
        <translation>申诉中</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{0} v{1} · {2} · by {3}</source>
        <translation>{0} v{1} · {2} · 评估人：{3}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Total: nothing answered yet</source>
        <translation>总分：尚未作答</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Total: {0:.1f} of 100</source>
        <translation>总分：{0:.1f} / 100</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Total: {0} / {1} · {2:.1f} %</source>
        <translation>总分：{0} / {1} · {2:.1f}%</translation>
    </message>
    <message>
        <location line="+3"/>
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
        <location filename="../../qa_desk/ui/flag_checks.py" line="+61"/>
        <source>Checking calls against {0}…</source>
        <translation>正在按 {0} 检查通话…</translation>
    </message>
    <message>
        <location line="+13"/>
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
        <location filename="../../qa_desk/ui/trend_charts.py" line="+131"/>
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
    <name>FlagsPane</name>
    <message>
        <location filename="../../qa_desk/ui/flags_pane.py" line="+139"/>
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
        <location line="+109"/>
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
        <location line="+2"/>
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
</context>
<context>
    <name>FormBuilder</name>
    <message>
        <location filename="../../qa_desk/ui/form_builder.py" line="+82"/>
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
        <location line="+9"/>
        <source>Sections and items (drag to reorder):</source>
        <translation>板块与评分项（拖动可调整顺序）：</translation>
    </message>
    <message>
        <location line="+27"/>
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
        <location filename="../../qa_desk/ui/form_editors.py" line="+288"/>
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
        <location line="+3"/>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Optional: the points the sections must add up to</source>
        <translation>可选：各板块分值相加须等于的总分</translation>
    </message>
    <message>
        <location line="+4"/>
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
        <location filename="../../qa_desk/ui/form_preview.py" line="+165"/>
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
        <location line="+16"/>
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
        <location filename="../../qa_desk/ui/forms_page.py" line="+84"/>
        <location line="+59"/>
        <location line="+181"/>
        <source>New form</source>
        <translation>新建质检表</translation>
    </message>
    <message>
        <location line="-238"/>
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
        <location line="+54"/>
        <source>Import YAML…</source>
        <translation>导入 YAML…</translation>
    </message>
    <message>
        <location line="-52"/>
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
        <location line="+8"/>
        <source>No evaluation forms yet</source>
        <translation>尚无质检表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reviewers score calls on a form: sections of questions, each with its answers and points. Click New form to build one, or Import YAML… to bring in a form file.</source>
        <translation>质检员依据质检表为通话评分：质检表由若干板块的问题组成，每个问题都有各自的答案和分值。点击“新建质检表”创建一份，或点击“导入 YAML…”导入质检表文件。</translation>
    </message>
    <message>
        <location line="+5"/>
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
        <location line="+28"/>
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
        <location filename="../../qa_desk/ui/import_report.py" line="+54"/>
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
        <location line="+43"/>
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
        <location filename="../../qa_desk/ui/form_editors.py" line="-204"/>
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
        <location line="+5"/>
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
        <location line="+4"/>
        <source>Rule ids, comma-separated, e.g. zh-greeting-01</source>
        <translation>规则 ID，以逗号分隔，例如 zh-greeting-01</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rulebook rules whose flags suggest this item&apos;s answer</source>
        <translation>规则库中的规则，其标记可提示本评分项的答案</translation>
    </message>
    <message>
        <location line="+10"/>
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
        <location filename="../../qa_desk/ui/evaluation_items.py" line="+49"/>
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
    <name>JobRunner</name>
    <message>
        <location filename="../../qa_desk/ui/jobs.py" line="+64"/>
        <source>Unexpected error ({0}): {1}</source>
        <translation>意外错误（{0}）：{1}</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <location filename="../../qa_desk/ui/jobs_panel.py" line="+59"/>
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
        <location line="+85"/>
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
        <location filename="../../qa_desk/ui/jobs_model.py" line="+54"/>
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
        <location filename="../../qa_desk/ui/main_window.py" line="+74"/>
        <location line="+364"/>
        <source>QA Desk</source>
        <translation>QA Desk</translation>
    </message>
    <message>
        <location line="-341"/>
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
        <location line="+19"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import recordings…</source>
        <translation>导入录音(&amp;I)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Load &amp;sample calls</source>
        <translation>加载示例通话(&amp;S)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>S&amp;ettings…</source>
        <translation>设置(&amp;E)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Transcription jobs</source>
        <translation>转写任务(&amp;T)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About QA Desk</source>
        <translation>关于 QA Desk(&amp;A)</translation>
    </message>
    <message>
        <location line="+16"/>
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
        <location line="+26"/>
        <source>Opening call {0}: {1}</source>
        <translation>正在打开通话 {0}：{1}</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Call {0} could not be checked against the rulebook.</source>
        <translation>通话 {0} 未能完成规则库检测。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The calls could not be checked against the rulebook.</source>
        <translation>未能对这些通话完成规则库检测。</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Loading the sample calls…</source>
        <translation>正在加载示例通话…</translation>
    </message>
    <message>
        <location line="+18"/>
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
        <source>The sample calls could not be loaded.</source>
        <translation>无法加载示例通话。</translation>
    </message>
    <message>
        <location line="+27"/>
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
        <source>Connecting to {0}…</source>
        <translation>正在连接 {0}…</translation>
    </message>
    <message>
        <location line="+26"/>
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
        <location filename="../../qa_desk/ui/review_queue.py" line="+96"/>
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
        <location line="+2"/>
        <source>No calls in your queue. A lead&apos;s sampling run puts calls here.</source>
        <translation>您的队列中没有通话。组长执行抽样后，通话会出现在这里。</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Double-click a call to open it and score it; it counts as done once you submit.</source>
        <translation>双击通话即可打开并评分；提交后即计为已完成。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Calls assigned to {0}</source>
        <translation>分配给 {0} 的通话</translation>
    </message>
    <message>
        <location line="+13"/>
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
        <location filename="../../qa_desk/ui/flag_dialogs.py" line="-35"/>
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
        <location filename="../../qa_desk/ui/pattern_edit.py" line="+51"/>
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
    <name>PlayerBar</name>
    <message>
        <location filename="../../qa_desk/ui/player_bar.py" line="+50"/>
        <location line="+78"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location line="-77"/>
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
        <location line="+37"/>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <location line="-34"/>
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
        <location line="+16"/>
        <source>Speed</source>
        <translation>倍速</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Listen to</source>
        <translation>收听</translation>
    </message>
    <message>
        <location line="+18"/>
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
        <location filename="../../qa_desk/ui/playlist_panel.py" line="+47"/>
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
        <location line="+84"/>
        <source>A new playlist</source>
        <translation>新建播放列表</translation>
    </message>
    <message>
        <location line="-83"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+84"/>
        <source>Rename this playlist</source>
        <translation>重命名此播放列表</translation>
    </message>
    <message>
        <location line="-83"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+0"/>
        <location line="+84"/>
        <source>Delete this playlist (its clips stay)</source>
        <translation>删除此播放列表（其中的片段保留）</translation>
    </message>
    <message>
        <location line="-75"/>
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
        <location line="+54"/>
        <source>Only a trainer or an admin changes playlists</source>
        <translation>仅培训师或管理员可以修改播放列表</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Only a trainer, a manager or an admin exports playlists</source>
        <translation>仅培训师、经理或管理员可以导出播放列表</translation>
    </message>
    <message>
        <location line="+47"/>
        <source>{0}  ({1} clips, {2})</source>
        <translation>{0}  （{1} 个片段，{2}）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>The playlist was not changed: {0}</source>
        <translation>播放列表未更改：{0}</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Add clips from the library: choose a clip, then “Add chosen clip”.</source>
        <translation>从通话库添加片段：选择一个片段，然后点击“添加所选片段”。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No playlists yet. A playlist is the clips of one training session, in the order you will play them: start one with New…</source>
        <translation>暂无播放列表。播放列表即一次培训课中的片段，按您播放的顺序排列：点击“新建…”创建一个。</translation>
    </message>
    <message>
        <location line="+44"/>
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
    <name>ReviewOverview</name>
    <message>
        <location filename="../../qa_desk/ui/review_overview.py" line="+46"/>
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
        <location line="+75"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="-77"/>
        <location line="+2"/>
        <source>Open</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location line="-1"/>
        <location line="+2"/>
        <location line="+73"/>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <location line="-74"/>
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
        <location line="+101"/>
        <source>Reassign…</source>
        <translation>重新分配…</translation>
    </message>
    <message>
        <location line="-99"/>
        <location line="+100"/>
        <location line="+30"/>
        <source>Take out of queue</source>
        <translation>移出队列</translation>
    </message>
    <message>
        <location line="-126"/>
        <source>Period:</source>
        <translation>周期：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Per reviewer</source>
        <translation>按质检员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Per agent</source>
        <translation>按坐席</translation>
    </message>
    <message>
        <location line="+35"/>
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
        <location line="+8"/>
        <source>{0} calls queued in {1}, {2} done, {3} overdue</source>
        <translation>{1}：队列中共 {0} 个通话，已完成 {2} 条，逾期 {3} 条</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Only a lead or an admin can move queued calls</source>
        <translation>仅组长或管理员可调整队列中的通话</translation>
    </message>
    <message>
        <location line="+19"/>
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
        <location filename="../../qa_desk/ui/review_page.py" line="+38"/>
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
        <location filename="../../qa_desk/ui/rulebook_page.py" line="+86"/>
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
        <location line="+12"/>
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
        <location filename="../../qa_desk/ui/sampling_rules_view.py" line="+44"/>
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
        <source>New rule…</source>
        <translation>新建规则…</translation>
    </message>
    <message>
        <location line="+2"/>
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
        <location line="+28"/>
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
        <location line="+16"/>
        <source>Only a lead or an admin can change or run sampling rules.</source>
        <translation>仅组长或管理员可以修改或执行抽样规则。</translation>
    </message>
    <message>
        <location line="+29"/>
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
        <location filename="../../qa_desk/ui/sampling_run_dialog.py" line="+38"/>
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
        <location line="+4"/>
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
        <location line="+31"/>
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
        <location line="+15"/>
        <source>Working out the picks…</source>
        <translation>正在计算抽取结果…</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{0} calls of {1} in {2} would be queued ({3}), due {4}; seed {5}.</source>
        <translation>将从 {2} 的 {1} 个通话中抽取 {0} 通加入队列（{3}），截止日期 {4}；随机种子 {5}。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No call of {0} fits this rule (or every agent&apos;s quota is already queued).</source>
        <translation>{0} 中没有符合此规则的通话（或所有坐席的配额均已加入队列）。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Queuing the calls…</source>
        <translation>正在将通话加入队列…</translation>
    </message>
</context>
<context>
    <name>ScoreTrendChart</name>
    <message>
        <location filename="../../qa_desk/ui/trend_charts.py" line="-151"/>
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
        <location filename="../../qa_desk/ui/scorecard_filters.py" line="+63"/>
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
</context>
<context>
    <name>ScorecardModel</name>
    <message>
        <location filename="../../qa_desk/ui/scorecards_model.py" line="+118"/>
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
        <location line="+12"/>
        <source>{0} %</source>
        <translation>{0}%</translation>
    </message>
    <message>
        <location line="+9"/>
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
        <location filename="../../qa_desk/ui/scorecards_page.py" line="+73"/>
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
        <location line="+210"/>
        <source>Team view</source>
        <translation>团队视图</translation>
    </message>
    <message>
        <location line="-206"/>
        <source>Show the previous period</source>
        <translation>查看上一周期</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear filters</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <location line="+5"/>
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
        <location line="+10"/>
        <source>No evaluations in {0}</source>
        <translation>{0} 没有评估</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No submitted evaluation matches this team and form in the period. Drafts count once they are submitted.</source>
        <translation>本周期内没有与该团队和质检表匹配的已提交评估。草稿提交后才会计入。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scorecards appear once the period&apos;s calls have been evaluated: they count submitted evaluations (drafts count once submitted). Pick another period, or score calls from the Calls area.</source>
        <translation>本周期的通话完成评估后即显示评分卡：仅统计已提交的评估（草稿提交后计入）。请选择其他周期，或在“通话”区为通话评分。</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Agents without a team cannot be listed on their own yet.</source>
        <translation>暂时无法单独列出未分配团队的坐席。</translation>
    </message>
    <message>
        <location line="+78"/>
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
    <name>SearchResultsModel</name>
    <message>
        <location filename="../../qa_desk/ui/transcript_search.py" line="+72"/>
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
        <location filename="../../qa_desk/ui/evaluation_items.py" line="+36"/>
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
        <location filename="../../qa_desk/ui/trend_charts.py" line="+30"/>
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
    <name>ShortcutsHelp</name>
    <message>
        <location filename="../../qa_desk/ui/shortcuts_help.py" line="+128"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What it does</source>
        <translation>功能</translation>
    </message>
    <message>
        <location line="+17"/>
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
        <location filename="../../qa_desk/ui/clip_span.py" line="+60"/>
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
        <location line="+42"/>
        <source>Apply new span</source>
        <translation>应用新区间</translation>
    </message>
    <message>
        <location line="-40"/>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>End</source>
        <translation>结束</translation>
    </message>
    <message>
        <location line="+5"/>
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
        <location line="+12"/>
        <source>No speech model yet. Download one (e.g. the small Chinese model, 42 MB) or install one you have as a folder or zip.</source>
        <translation>尚无语音模型。请下载一个（例如 42 MB 的小型中文模型），或安装您已有的模型文件夹或 zip 压缩包。</translation>
    </message>
    <message>
        <location line="+4"/>
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
        <location line="+28"/>
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
    <name>TeamView</name>
    <message>
        <location filename="../../qa_desk/ui/team_view.py" line="+80"/>
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
        <location filename="../../qa_desk/ui/transcript_pane.py" line="+143"/>
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
        <location line="+54"/>
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
        <source>Search what was said</source>
        <translation>搜索通话内容</translation>
    </message>
    <message>
        <location line="+10"/>
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
        <location line="+66"/>
        <source>Type the words to look for.</source>
        <translation>请输入要搜索的词语。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Searching…</source>
        <translation>正在搜索…</translation>
    </message>
    <message>
        <location line="+29"/>
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
        <location line="+7"/>
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
        <location filename="../../qa_desk/ui/users_page.py" line="+33"/>
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
        <location line="+35"/>
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
        <location line="+19"/>
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
        <location line="+202"/>
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
<context>
    <name>widget</name>
    <message>
        <location filename="../../qa_desk/ui/users_page.py" line="-176"/>
        <source>Team lead</source>
        <translation>组长</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Trainer</source>
        <translation>培训师</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Manager</source>
        <translation>经理</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Reviewer</source>
        <translation>质检员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Admin</source>
        <translation>管理员</translation>
    </message>
</context>
</TS>
