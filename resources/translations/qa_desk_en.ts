<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AuditPage</name>
    <message numerus="yes">
        <location filename="../../qa_desk/ui/audit_page.py" line="+170"/>
        <source>%n entries</source>
        <translation>
            <numerusform>%n entry</numerusform>
            <numerusform>%n entries</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FormBuilder</name>
    <message numerus="yes">
        <location filename="../../qa_desk/ui/form_builder.py" line="+274"/>
        <source>%n problem(s) to correct before saving:</source>
        <translation>
            <numerusform>%n problem to correct before saving:</numerusform>
            <numerusform>%n problems to correct before saving:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+91"/>
        <source>Remove the section &quot;{0}&quot; and its %n item(s)?</source>
        <translation>
            <numerusform>Remove the section &quot;{0}&quot; and its %n item?</numerusform>
            <numerusform>Remove the section &quot;{0}&quot; and its %n items?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+43"/>
        <source>This form is used by %n evaluation(s). Saving creates version {0}; those evaluations keep version {1}.</source>
        <translation>
            <numerusform>This form is used by %n evaluation. Saving creates version {0}; that evaluation keeps version {1}.</numerusform>
            <numerusform>This form is used by %n evaluations. Saving creates version {0}; those evaluations keep version {1}.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FormsPage</name>
    <message numerus="yes">
        <location filename="../../qa_desk/ui/forms_page.py" line="+247"/>
        <location line="+32"/>
        <source>used by %n evaluation(s)</source>
        <translation>
            <numerusform>used by %n evaluation</numerusform>
            <numerusform>used by %n evaluations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+91"/>
        <source>{0} was not imported: %n problem(s) to correct in the file first.</source>
        <translation>
            <numerusform>{0} was not imported: %n problem to correct in the file first.</numerusform>
            <numerusform>{0} was not imported: %n problems to correct in the file first.</numerusform>
        </translation>
    </message>
</context>
</TS>
